"""Returns, inspection, disposition and refunds (built in a later issue)."""
