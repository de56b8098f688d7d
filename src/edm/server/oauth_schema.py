"""The token endpoint in the OpenAPI document (`edm.server.oauth`)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField

from edm.manifest import SCOPES
from edm.server.oauth import FORM_MEDIA_TYPE


class TokenRequest(BaseModel):
    """RFC 6749 §4.4.2, form-encoded; the client may authenticate with HTTP Basic instead."""

    model_config = ConfigDict(extra="forbid")

    grant_type: Literal["client_credentials"]
    client_id: str | None = PydanticField(None, description="The application id (app_…).")
    client_secret: str | None = PydanticField(None, description="An API key (edm_sk_…).")
    scope: str | None = PydanticField(
        None,
        description="Space-separated scopes within the application's; all of them if left out. "
        f"One of: {', '.join(SCOPES)}.",
    )


class TokenResponse(BaseModel):
    """RFC 6749 §5.1."""

    access_token: str = PydanticField(description="A JWT signed by EDM, for Authorization: Bearer.")
    token_type: Literal["Bearer"]
    expires_in: int = PydanticField(description="Seconds until the token expires.")
    scope: str = PydanticField(description="The token's scopes, space-separated.")


class TokenError(BaseModel):
    """RFC 6749 §5.2."""

    error: Literal["invalid_request", "invalid_client", "invalid_scope", "unsupported_grant_type"]
    error_description: str


TOKEN_MODELS: list[type[BaseModel]] = [TokenRequest, TokenResponse, TokenError]


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def token_path_item() -> dict[str, Any]:
    error = {"application/json": {"schema": _ref(TokenError)}}
    return {
        "post": {
            "tags": ["OAuth"],
            "operationId": "oauth-token",
            "summary": "Exchange an API key for an access token (client credentials).",
            "description": "The key is the client_secret and the application id the "
            "client_id, in the form or with HTTP Basic. The token is a JWT signed by EDM: "
            "sub and app_id are the application id.",
            "security": [{}, {"clientBasic": []}],
            "requestBody": {
                "required": True,
                "content": {FORM_MEDIA_TYPE: {"schema": _ref(TokenRequest)}},
            },
            "responses": {
                "200": {
                    "description": "An access token",
                    "content": {"application/json": {"schema": _ref(TokenResponse)}},
                },
                "400": {
                    "description": "invalid_request, invalid_scope or unsupported_grant_type",
                    "content": error,
                },
                "401": {
                    "description": "invalid_client: the key or application does not work "
                    "(the same answer whatever the reason)",
                    "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                    "content": error,
                },
            },
        }
    }
