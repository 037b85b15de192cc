"""Hostile requests for the property and security tests, and the promises every reply keeps."""
