"""Alert and notification policies: ordered rules applied to alerts as they are created."""
