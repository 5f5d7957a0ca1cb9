"""People: a user as the rest of Tocsin knows them, built from accounts (who they are) and notify
(how they are reached). It sits above both so that neither has to import the other's way."""
