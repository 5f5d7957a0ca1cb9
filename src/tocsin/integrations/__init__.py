"""Integrations: the named, keyed doors through which alerts come in (and, later, go out)."""
