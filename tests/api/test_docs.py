"""The OpenAPI document and its browsable page, served without any outside network."""
import re


def test_openapi_document_describes_the_api_and_its_error_shape(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/me", "/api/v1/integrity/entries", "/api/v1/organizations"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert set(spec["components"]["schemas"]["Error"]["properties"]) == {"error"}


def test_swagger_ui_is_served_from_this_server(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and all(a.startswith("/api/v1/docs/assets/") for a in assets)
    for asset in assets:
        assert client.get(asset).status_code == 200
