"""Who is on call: schedules, rotations, overrides, and calendar feeds of shifts."""
