// Generated from schemas/openapi.yaml by schemas/embed_openapi.py; do not edit.
enum OpenAPIDocument {
    static let yaml = """
    openapi: 3.1.0
    """
}
