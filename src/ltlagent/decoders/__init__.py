"""Token-level decoders: a compiled spec and a tokenizer become token masks (see DESIGN §3)."""
