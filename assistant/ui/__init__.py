"""The Gradio app's parts: HTML rendering (render.py) and the article library (library.py)."""
