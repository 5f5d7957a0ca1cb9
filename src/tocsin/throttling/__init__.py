"""Rate limits (the ``limits`` library) that read Tocsin's clock, and the answers they give."""
