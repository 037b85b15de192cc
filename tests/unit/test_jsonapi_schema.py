import pytest

from tests.jsonapi_schema import _patch, assert_valid_document, assert_valid_request

CITIZEN = {
    "type": "citizens",
    "id": "1",
    "attributes": {"town": "Москва", "apartment": 7, "birth_date": "1986-12-26"},
    "relationships": {"relatives": {"data": [{"type": "citizens", "id": "2"}]}},
    "links": {"self": "/imports/1/citizens/1"},
}


def test_resource_document_passes():
    assert_valid_document({"data": {"type": "imports", "id": "1"}})
    assert_valid_document({"data": [], "links": {"self": "/imports/1/citizens"}})


def test_document_with_attributes_passes():
    # Fails without rewriting the schema's "patternProperties": {"": true} to "^".
    assert_valid_document({"data": CITIZEN, "meta": {"count": 1}})


def test_document_with_data_and_errors_fails():
    # Passes without translating the draft 7 "dependencies" keyword.
    document = {"data": None, "errors": [{"status": "400", "detail": "bad"}]}
    with pytest.raises(AssertionError, match="document does not match schema.json"):
        assert_valid_document(document)


def test_included_without_data_fails():
    with pytest.raises(AssertionError):
        assert_valid_document({"meta": {}, "included": [CITIZEN]})


def test_error_document_passes():
    assert_valid_document(
        {
            "errors": [
                {
                    "status": "422",
                    "title": "Invalid attribute",
                    "detail": "must be an integer from 0 to 2147483647",
                    "source": {"pointer": "/data/attributes/apartment"},
                }
            ],
            "jsonapi": {"version": "1.0"},
        }
    )


def test_resource_missing_type_fails():
    with pytest.raises(AssertionError, match=r"\$\.data"):
        assert_valid_document({"data": {"id": "1", "attributes": {"town": "Керчь"}}})


@pytest.mark.parametrize("name", ["id", "type", "+town", ""])
def test_forbidden_attribute_name_fails(name):
    resource = {**CITIZEN, "attributes": {name: 1}}
    with pytest.raises(AssertionError):
        assert_valid_document({"data": resource})


def test_create_request():
    resource = {key: CITIZEN[key] for key in ("type", "attributes", "relationships")}
    assert_valid_request({"data": resource}, "create")
    with pytest.raises(AssertionError):
        assert_valid_request({"data": {"attributes": {"town": "Керчь"}}}, "create")


def test_update_request_needs_id():
    resource = {"type": "citizens", "id": "1", "attributes": {"town": "Керчь"}}
    assert_valid_request({"data": resource}, "update")
    with pytest.raises(AssertionError):
        assert_valid_request({"data": {"type": "citizens", "attributes": {}}}, "update")


def test_relationship_request():
    assert_valid_request({"data": [{"type": "citizens", "id": "2"}]}, "relationship")
    with pytest.raises(AssertionError):
        assert_valid_request({"data": [{"type": "citizens"}]}, "relationship")


def test_unknown_request_kind():
    with pytest.raises(ValueError):
        assert_valid_request({"data": None}, "delete")


def test_patch_rewrites_keywords_but_not_member_names():
    schema = {
        "properties": {"dependencies": {"dependencies": {"a": ["b"], "c": {"required": ["d"]}}}},
        "definitions": {"x": {"patternProperties": {"": True, "^y": False}}},
    }
    assert _patch(schema) == {
        "properties": {
            "dependencies": {
                "dependentRequired": {"a": ["b"]},
                "dependentSchemas": {"c": {"required": ["d"]}},
            }
        },
        "definitions": {"x": {"patternProperties": {"^": True, "^y": False}}},
    }
