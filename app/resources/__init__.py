"""HTTP resources: one module per resource type, and the route table."""
