"""Qt widgets of the desktop app. Nothing here imports torch: the GUI talks to the core only
through :mod:`translator_app.workers`, whose QObjects run the models in their own threads."""
