"""Chat operations: the ``/genie`` command grammar and its execution (shared by every chat
platform), chat account links, and one small adapter per platform (``platforms/``)."""
