"""Team routing rules: which of a team's escalations or schedules an alert for the team goes to."""
