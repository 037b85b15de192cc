"""The route table: every URL of the API and the resource that serves it.

Every resource lives at `/{type}/{id}`, so stock JSON:API clients build each URL from type and
id; the nested paths of the 2019 task stay as aliases. A view's first URL is its canonical one:
url_for, and so every link the service writes, builds that one.
"""

from flask import Blueprint
from flask_rest_jsonapi_next import Api

from app.resources.aggregates import Birthdays, TownAgeStats
from app.resources.citizens import AllCitizens, CitizenDetail, CitizenList
from app.resources.imports import CitizenImport, ImportDetail, ImportList
from app.resources.permissions import require_permission
from app.resources.relatives import CitizenRelatives, RelatedCitizens

IMPORT = "/imports/<id:import_id>"
CITIZEN = "/citizens/<id:import_id>.<id:citizen_id>"  # a citizen's id is "<import>.<citizen>"
NESTED_CITIZEN = f"{IMPORT}/citizens/<id:citizen_id>"

ROUTES = (
    (ImportList, "import_list", ("/imports",)),
    (ImportDetail, "import_detail", (IMPORT,)),
    (AllCitizens, "all_citizens", ("/citizens",)),
    (CitizenList, "citizen_list", (f"{IMPORT}/citizens",)),
    (CitizenDetail, "citizen_detail", (CITIZEN, NESTED_CITIZEN)),
    (
        CitizenRelatives,
        "citizen_relatives",
        (f"{CITIZEN}/relationships/relatives", f"{NESTED_CITIZEN}/relationships/relatives"),
    ),
    (RelatedCitizens, "related_citizens", (f"{CITIZEN}/relatives",)),
    (CitizenImport, "citizen_import", (f"{CITIZEN}/import",)),
    (Birthdays, "birthdays", ("/birthdays/<id:import_id>", f"{IMPORT}/citizens/birthdays")),
    # The related-resource URL of an import's `birthdays` relationship (a view of its own, so
    # url_for builds it rather than the canonical /birthdays/{id}).
    (Birthdays, "import_birthdays", (f"{IMPORT}/birthdays",)),
    (
        TownAgeStats,
        "town_age_stats",
        (f"{IMPORT}/town-age-stats", f"{IMPORT}/towns/stat/percentile/age"),
    ),
)


def build_api_blueprint() -> Blueprint:
    blueprint = Blueprint("api", __name__)
    blueprint.before_request(require_permission)
    api = Api(blueprint=blueprint)
    for resource, view, urls in ROUTES:
        api.route(resource, view, *urls)
    return blueprint
