"""Sourcing, fulfilment orders, picking, packing, shipments (built in a later issue)."""
