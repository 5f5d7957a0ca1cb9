"""The read side of Opsgenie's configuration API over a fake account: which GET answers what,
with the identifier switches, envelopes and paging Opsgenie uses. No HTTP here: ``answer`` takes
a path and its query and gives a status and a JSON body; tests/fakes/opsgenie_config_api.py
serves it."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from tests.fakes.opsgenie_api_base import ApiError, Query, Reply, found_or_404, kind_of, public, route
from tests.fakes.opsgenie_schedule_api import ScheduleReads

__all__ = ["ApiError", "ConfigApi", "Reply"]


class ConfigApi(ScheduleReads):
    # Account and users
    @route("/v2/account")
    def account_info(self, query: Query) -> Any:
        return self.account.info()

    @route("/v2/users")
    def users(self, query: Query) -> Reply:
        try:
            limit, offset = int(query.get("limit", "100")), int(query.get("offset", "0"))
        except ValueError as error:
            raise ApiError(422, "limit and offset should be integers") from error
        if limit < 1 or offset < 0:
            raise ApiError(422, "limit should be at least 1 and offset at least 0")
        limit = min(limit, 100)
        sort = query.get("sort", query.get("sortField", "username"))
        if sort not in ("username", "fullName", "insertedAt") or query.get("order", "asc") not in (
            "asc",
            "desc",
        ):
            raise ApiError(422, "sort should be username, fullName or insertedAt and order asc or desc")
        key = "createdAt" if sort == "insertedAt" else sort
        users = sorted(self._search(query.get("query", "")), key=lambda u: (u[key], u["id"]))
        if query.get("order") == "desc":
            users.reverse()
        total = len(users)
        links = {"first": 0, "last": max(total - 1, 0) // limit * limit}
        if offset + limit < total:
            links["next"] = offset + limit
        if offset > 0:
            links["prev"] = max(offset - limit, 0)
        paging = {name: self._link(query, at, limit) for name, at in links.items()}
        headers = {f"X-Paging-{name.title()}": url for name, url in paging.items()}
        body = {"data": users[offset : offset + limit], "totalCount": total, "paging": paging}
        return Reply(200, body, headers)

    def _search(self, text: str) -> list[dict[str, Any]]:
        field_name, _, value = text.partition(":") if ":" in text else ("", "", text)
        value = value.strip().lower()

        def matches(user: dict[str, Any]) -> bool:
            if not value:
                return True
            if field_name:
                found = user["role"]["name"] if field_name == "role" else user.get(field_name)
                return str(found).lower() == value
            return value in user["username"].lower() or value in user["fullName"].lower()

        return [u for u in self.account.users if matches(u)]

    def _link(self, query: Query, offset: int, limit: int) -> str:
        return f"{self.base_url}/v2/users?{urlencode({**query, 'offset': offset, 'limit': limit})}"

    @route("/v2/users/{}")
    def user(self, query: Query, identifier: str) -> Reply:
        user = dict(self._user(identifier))
        if query.get("expand") == "contact":
            user["userContacts"] = [
                {
                    "to": c["to"],
                    "id": c["id"],
                    "contactMethod": c["method"],
                    "enabled": c["status"]["enabled"],
                }
                for c in self.account.contacts[user["id"]]
            ]
        return Reply(200, {"data": user, "expandable": ["contact"]})

    def _user(self, identifier: str) -> dict[str, Any]:
        return found_or_404(self.account.user(identifier), "user", identifier)  # type: ignore[no-any-return]

    @route("/v2/users/{}/contacts")
    def contacts(self, query: Query, identifier: str) -> Any:
        return self.account.contacts[self._user(identifier)["id"]]

    @route("/v2/users/{}/contacts/{}")
    def contact(self, query: Query, identifier: str, contact_id: str) -> Any:
        found = [c for c in self.contacts(query, identifier) if c["id"] == contact_id]
        return found_or_404(found[0] if found else None, "contact", contact_id)

    @route("/v2/users/{}/notification-rules")
    def notification_rules(self, query: Query, identifier: str) -> Any:
        keys = ("id", "name", "actionType", "order", "enabled")
        return [
            {k: r[k] for k in keys} for r in self.account.notification_rules[self._user(identifier)["id"]]
        ]

    @route("/v2/users/{}/notification-rules/{}")
    def notification_rule(self, query: Query, identifier: str, rule_id: str) -> Any:
        rules = self.account.notification_rules[self._user(identifier)["id"]]
        return found_or_404(
            next((r for r in rules if r["id"] == rule_id), None), "notification rule", rule_id
        )

    @route("/v2/users/{}/notification-rules/{}/steps")
    def notification_steps(self, query: Query, identifier: str, rule_id: str) -> Any:
        return self.notification_rule(query, identifier, rule_id)["steps"]

    @route("/v2/users/{}/teams")
    def user_teams(self, query: Query, identifier: str) -> Any:
        return self.account.user_teams(self._user(identifier))

    @route("/v2/users/{}/schedules")
    def user_schedules(self, query: Query, identifier: str) -> Any:
        return self.account.user_schedules(self._user(identifier))

    @route("/v2/users/{}/escalations")
    def user_escalations(self, query: Query, identifier: str) -> Any:
        return self.account.user_escalations(self._user(identifier))

    @route("/v2/users/{}/forwarding-rules")
    def user_forwarding_rules(self, query: Query, identifier: str) -> Any:
        user = self._user(identifier)
        return [r for r in self.account.forwarding_rules if r["fromUser"]["id"] == user["id"]]

    @route("/v2/forwarding-rules")
    def forwarding_rules(self, query: Query) -> Any:
        return self.account.forwarding_rules

    @route("/v2/forwarding-rules/{}")
    def forwarding_rule(self, query: Query, identifier: str) -> Any:
        kind = kind_of(query, "identifierType", ("id", "alias"))
        rule = next((r for r in self.account.forwarding_rules if r[kind] == identifier), None)
        return found_or_404(rule, "forwarding rule", identifier)

    @route("/v2/roles")
    def roles(self, query: Query) -> Any:
        return self.account.roles

    @route("/v2/roles/{}")
    def role(self, query: Query, identifier: str) -> Any:
        kind = kind_of(query, "identifierType")
        return found_or_404(
            next((r for r in self.account.roles if r[kind] == identifier), None), "role", identifier
        )

    # Teams
    @route("/v2/teams")
    def teams(self, query: Query) -> Reply:
        return Reply(200, {"data": [public(t) for t in self.account.teams], "expandable": ["member"]})

    def _team(self, query: Query, identifier: str, switch: str) -> dict[str, Any]:
        return found_or_404(self.account.team(identifier, kind_of(query, switch)), "team", identifier)  # type: ignore[no-any-return]

    @route("/v2/teams/{}")
    def team(self, query: Query, identifier: str) -> Any:
        return self._team(query, identifier, "identifierType")

    @route("/v2/teams/{}/roles")
    def team_roles(self, query: Query, identifier: str) -> Any:
        return self.account.team_roles[self._team(query, identifier, "teamIdentifierType")["id"]]

    @route("/v2/teams/{}/roles/{}")
    def team_role(self, query: Query, identifier: str, role: str) -> Any:
        kind = kind_of(query, "identifierType")
        found = next((r for r in self.team_roles(query, identifier) if r[kind] == role), None)
        return found_or_404(found, "team role", role)

    @route("/v2/teams/{}/routing-rules")
    def routing_rules(self, query: Query, identifier: str) -> Any:
        return self.account.routing_rules[self._team(query, identifier, "teamIdentifierType")["id"]]

    @route("/v2/teams/{}/routing-rules/{}")
    def routing_rule(self, query: Query, identifier: str, rule_id: str) -> Any:
        found = next((r for r in self.routing_rules(query, identifier) if r["id"] == rule_id), None)
        return found_or_404(found, "routing rule", rule_id)

    # Escalations, heartbeats, maintenance, integrations, policies
    @route("/v2/escalations")
    def escalations(self, query: Query) -> Any:
        return self.account.escalations

    @route("/v2/escalations/{}")
    def escalation(self, query: Query, identifier: str) -> Any:
        kind = kind_of(query, "identifierType")
        return found_or_404(self.account.escalation(identifier, kind), "escalation", identifier)

    @route("/v2/heartbeats")
    def heartbeats(self, query: Query) -> Any:
        return {"heartbeats": self.account.heartbeats}

    @route("/v2/heartbeats/{}")
    def heartbeat(self, query: Query, name: str) -> Any:
        return found_or_404(
            next((h for h in self.account.heartbeats if h["name"] == name), None), "heartbeat", name
        )

    @route("/v1/maintenance")
    def maintenance_list(self, query: Query) -> Any:
        kind = query.get("type", "all")
        if kind not in ("all", "past", "non-expired"):
            raise ApiError(422, "type should be one of all, past, non-expired")
        keep = {
            "all": {"cancelled", "past", "active", "planned"},
            "past": {"past"},
            "non-expired": {"active", "planned"},
        }
        return [
            {k: m[k] for k in ("id", "status", "time", "description")}
            for m in self.account.maintenance
            if m["status"] in keep[kind]
        ]

    @route("/v1/maintenance/{}")
    def maintenance(self, query: Query, identifier: str) -> Any:
        return found_or_404(
            next((m for m in self.account.maintenance if m["id"] == identifier), None),
            "maintenance",
            identifier,
        )

    @route("/v2/integrations")
    def integrations(self, query: Query) -> Any:
        found = [i for i in self.account.integrations if query.get("type") in (None, i["type"])]
        if "teamId" in query or "teamName" in query:
            team = self.account.team(
                query.get("teamId") or query.get("teamName", ""), "id" if "teamId" in query else "name"
            )
            found = [i for i in found if team and i.get("ownerTeam", {}).get("id") == team["id"]]
        keys = ("id", "name", "enabled", "type")
        return [{**{k: i[k] for k in keys}, "teamId": i.get("ownerTeam", {}).get("id", "")} for i in found]

    def _integration(self, identifier: str) -> dict[str, Any]:
        found = next((i for i in self.account.integrations if i["id"] == identifier), None)
        return found_or_404(found, "integration", identifier)  # type: ignore[no-any-return]

    @route("/v2/integrations/{}")
    def integration(self, query: Query, identifier: str) -> Any:
        found = self._integration(identifier)
        shown = {k: v for k, v in found.items() if k not in ("_key", "_keyOnRead")}
        return {**shown, "apiKey": found["_key"]} if found["_keyOnRead"] else shown

    @route("/v2/integrations/{}/actions")
    def integration_actions(self, query: Query, identifier: str) -> Any:
        return self.account.integration_actions[self._integration(identifier)["id"]]

    def _policies(self, kind: str, team_id: str | None) -> list[dict[str, Any]]:
        return [p for p in self.account.policies if p["type"] == kind and p["teamId"] == team_id]

    @route("/v2/policies/(alert|notification)")
    def policies(self, query: Query, kind: str) -> Any:
        team_id = query.get("teamId")
        if kind == "notification" and not team_id:
            raise ApiError(422, "teamId should be provided")
        keys = ("id", "name", "type", "order", "enabled")
        return [{k: p[k] for k in keys} for p in self._policies(kind, team_id)]

    @route("/v2/policies/{}")
    def policy(self, query: Query, identifier: str) -> Any:
        found = next(
            (
                p
                for p in self.account.policies
                if p["id"] == identifier and p["teamId"] == query.get("teamId")
            ),
            None,
        )
        return found_or_404(found, "policy", identifier)
