"""Pieces the benchmark programs share: databases, Tocsin processes, load generators, listeners."""
