"""Browser tests: stock JSON:API clients in Chromium against the real service."""
