"""marshmallow schemas: the shapes of requests and responses, and their OpenAPI documentation."""
