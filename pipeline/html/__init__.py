"""HTML pages: safe parsing, markup cue pruning, trafilatura's body as lines, article paragraphs."""
