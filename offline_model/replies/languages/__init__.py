"""Reply templates, one module per language; offline_model.replies.templates gathers them."""
