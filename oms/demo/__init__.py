"""The demo retailer "Maison Lumière": data (`data.py`) and the seeding functions
(`seed.py`) behind `manage.py seed_demo`."""
