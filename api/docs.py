"""The API's docs page (#30): the OpenAPI schema as one plain HTML page, made from the same
schema as /api/v1/openapi.json. No script at all, so it holds under our CSP and reads without
JavaScript; Swagger UI would add 8 MB of static files to every deploy for a "try it" button that
curl (README, "API") does as well."""

from django.shortcuts import render
from django.views.decorators.cache import cache_control

METHODS = ("get", "post", "patch", "put", "delete")


def type_of(spec):
    """A JSON Schema as a short phrase: "integer", "list of Comment", "string or null"."""
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in spec:
        return " or ".join(type_of(part) for part in spec["anyOf"])
    if "const" in spec:
        return repr(spec["const"])
    if "enum" in spec:
        return " | ".join(repr(value) for value in spec["enum"])
    kind = spec.get("type", "any")
    if kind == "array":
        return f"list of {type_of(spec.get('items', {}))}"
    if kind == "object" and isinstance(spec.get("additionalProperties"), dict):
        return f"map of {type_of(spec['additionalProperties'])}"
    return f"{kind} ({spec['format']})" if "format" in spec else kind


def limits_of(spec):
    """The bounds a value must keep, as text ("1 to 9223372036854775807")."""
    low, high = spec.get("minimum"), spec.get("maximum")
    if low is not None and high is not None:
        return f"{low} to {high}"
    if spec.get("maxLength") is not None:
        return f"at most {spec['maxLength']} characters"
    return ""


def fields_of(schema):
    """[(name, type, required, description)] of an object schema."""
    required = set(schema.get("required", ()))
    return [
        (name, type_of(spec), name in required, spec.get("description", ""))
        for name, spec in schema.get("properties", {}).items()
    ]


def operations_of(schema):
    found = []
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            op = item[method]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            found.append({
                "method": method.upper(), "path": path, "id": op.get("operationId", ""),
                "tags": op.get("tags", []), "summary": op.get("summary", ""),
                "description": op.get("description", ""),
                "parameters": [
                    (p["name"], p["in"], type_of(p.get("schema", {})), p.get("required", False),
                     limits_of(p.get("schema", {})), p.get("description", "")
                     or p.get("schema", {}).get("description", ""))
                    for p in op.get("parameters", [])
                ],
                "body": type_of(body["schema"]) if body else "",
                "responses": [
                    (status, answer.get("description", ""),
                     ", ".join(f"{type_of(c.get('schema', {}))} ({kind})"
                               for kind, c in answer.get("content", {}).items()))
                    for status, answer in op.get("responses", {}).items()
                ],
                "secured": bool(op.get("security")),
            })  # fmt: skip
    return found


@cache_control(public=True, max_age=300)
def docs(request):
    from api.main import api

    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    context = {
        "info": schema["info"],
        "header": "Authorization: Bearer …",
        "operations": operations_of(schema),
        "schemas": [
            (name, s.get("description", ""), fields_of(s)) for name, s in sorted(components.items())
        ],  # fmt: skip
    }
    return render(request, "api/docs.html", context)
