"""Values: user sources merged in Helm's order (`--set` parsing included), coalescing with chart
defaults, and values.schema.json validation with Helm v4's and v3's error texts."""
