"""The platform domain: integration applications and their API keys (SPEC section 9)."""
