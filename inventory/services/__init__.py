"""Every write to stock goes through these modules (see STYLE.md §2)."""
