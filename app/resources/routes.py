"""The route table: every URL of the API and the resource that serves it."""

from flask import Blueprint
from flask_rest_jsonapi_next import Api

from app.resources.aggregates import Birthdays, TownAgeStats
from app.resources.citizens import CitizenDetail, CitizenList
from app.resources.imports import ImportDetail, ImportList
from app.resources.permissions import require_permission
from app.resources.relatives import CitizenRelatives

ROUTES = (
    (ImportList, "import_list", "/imports"),
    (ImportDetail, "import_detail", "/imports/<id:import_id>"),
    (CitizenList, "citizen_list", "/imports/<id:import_id>/citizens"),
    (CitizenDetail, "citizen_detail", "/imports/<id:import_id>/citizens/<id:citizen_id>"),
    (
        CitizenRelatives,
        "citizen_relatives",
        "/imports/<id:import_id>/citizens/<id:citizen_id>/relationships/relatives",
    ),
    (Birthdays, "birthdays", "/imports/<id:import_id>/citizens/birthdays"),
    (TownAgeStats, "town_age_stats", "/imports/<id:import_id>/towns/stat/percentile/age"),
)


def build_api_blueprint() -> Blueprint:
    blueprint = Blueprint("api", __name__)
    blueprint.before_request(require_permission)
    api = Api(blueprint=blueprint)
    for resource, view, url in ROUTES:
        api.route(resource, view, url)
    return blueprint
