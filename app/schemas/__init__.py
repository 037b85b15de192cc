"""One marshmallow-jsonapi schema per resource type: the description of its members."""
