"""GraphiQL served by the app itself: the page, its example tabs, pinned packages and assets."""
