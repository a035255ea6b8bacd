"""Plain text: the article region of a whole-page dump, and chrome lines told from the article."""
