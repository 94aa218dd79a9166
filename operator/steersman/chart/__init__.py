"""Chart loading, values and rendering (Go templates and Sprig beneath)."""
