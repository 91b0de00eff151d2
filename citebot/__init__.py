"""citebot command line: the thin edge over index/, qa/, eval/ and bot/."""
