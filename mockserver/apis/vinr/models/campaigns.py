"""Campaigns: time-boxed initiatives grouping coupons or offers (seed page 000)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mockserver.store import transactional

from ..exceptions import InvalidRequest, ResourceMissing
from .base import BackendBase, Record, merge_metadata, new_id


@dataclass
class Campaign:
    id: str
    name: str
    type: str
    starts_at: int
    ends_at: int
    enabled: bool
    created: int
    redemption_count: int = 0
    metadata: dict[str, str] = field(default_factory=dict)
    deleted: bool = False
    ended_notified: bool = False

    def status(self, now: int) -> str:
        if now >= self.ends_at:
            return "ended"
        if now < self.starts_at:
            return "scheduled"
        return "running" if self.enabled else "deactivated"

    def to_dict(self, now: int) -> Record:
        status = self.status(now)
        return {
            "id": self.id,
            "object": "campaign",
            "name": self.name,
            "type": self.type,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "active": status == "running",
            "status": status,
            "redemption_count": self.redemption_count,
            "metadata": dict(self.metadata),
            "created": self.created,
        }

    def to_row(self) -> Record:
        return dict(self.__dict__)

    @classmethod
    def from_row(cls, row: Record) -> Campaign:
        return cls(**row)

    @classmethod
    def from_record(cls, record: Record) -> Campaign:
        """A campaign from a fixture record (exactly as the API returns it)."""
        return cls(
            id=record["id"],
            name=record["name"],
            type=record["type"],
            starts_at=record["starts_at"],
            ends_at=record["ends_at"],
            enabled=record["status"] != "deactivated",
            created=record["created"],
            redemption_count=record["redemption_count"],
            metadata=dict(record.get("metadata", {})),
        )


class CampaignRules(BackendBase):
    # -- storage ----------------------------------------------------------------------------

    def _find_campaign(self, ident: str) -> Campaign | None:
        row = self.unit.get("campaigns", ident)
        return None if row is None else Campaign.from_row(row)

    def _save_campaign(self, campaign: Campaign) -> None:
        self.unit.put("campaigns", campaign.id, campaign.to_row())

    def _campaign(self, ident: str) -> Campaign:
        campaign = self._find_campaign(ident)
        if campaign is None or campaign.deleted:
            raise ResourceMissing("campaign", ident)
        return campaign

    def _campaign_param(self, ident: str, expected_type: str) -> Campaign:
        """The live campaign a body names in ``campaign``, which must be of ``expected_type``."""
        campaign = self._find_campaign(ident)
        if campaign is None or campaign.deleted:
            raise ResourceMissing("campaign", ident, param="campaign")
        if campaign.type != expected_type:
            raise InvalidRequest(
                f"Campaign '{ident}' is a {campaign.type} campaign; "
                f"a {expected_type} campaign is required.",
                param="campaign",
            )
        return campaign

    def _announce_campaign_end(self, ident: str, at: int, now: int) -> None:
        campaign = self._find_campaign(ident)
        if campaign and not campaign.ended_notified and campaign.ends_at == at:
            campaign.ended_notified = True
            self._save_campaign(campaign)
            self._emit("campaign.ended", campaign.to_dict(now), at=max(at, campaign.created))

    # -- operations -------------------------------------------------------------------------

    @transactional
    def create_campaign(self, params: Record) -> Record:
        now = self.now()
        starts_at = params.get("starts_at", now)
        ends_at = params["ends_at"]
        if ends_at <= starts_at:
            raise InvalidRequest("ends_at must be after starts_at.", param="ends_at")
        campaign = Campaign(
            id=new_id("cmp_"),
            name=params["name"],
            type=params["type"],
            starts_at=starts_at,
            ends_at=ends_at,
            enabled=params.get("active", True),
            created=now,
            metadata=dict(params.get("metadata") or {}),
        )
        self.unit.add("campaigns", campaign.id, campaign.to_row())
        self._schedule_end(campaign.ends_at, "campaign", campaign.id)
        snapshot = campaign.to_dict(now)
        self._emit("campaign.created", snapshot)
        self._tick()
        return snapshot

    @transactional
    def retrieve_campaign(self, ident: str) -> Record:
        return self._campaign(ident).to_dict(self.now())

    @transactional
    def update_campaign(self, ident: str, params: Record) -> Record:
        now = self.now()
        campaign = self._campaign(ident)
        before = campaign.to_dict(now)
        if "ends_at" in params:
            if params["ends_at"] <= campaign.starts_at:
                raise InvalidRequest(
                    f"ends_at must be after starts_at ({campaign.starts_at}).", param="ends_at"
                )
            campaign.ends_at = params["ends_at"]
            campaign.ended_notified = campaign.ends_at <= now and campaign.ended_notified
            self._schedule_end(campaign.ends_at, "campaign", campaign.id)
        if "name" in params:
            campaign.name = params["name"]
        if "active" in params:
            campaign.enabled = params["active"]
        if "metadata" in params:
            campaign.metadata = merge_metadata(campaign.metadata, params["metadata"])
        self._save_campaign(campaign)
        self._emit_update("campaign.updated", before, campaign.to_dict(now))
        self._tick()
        return self._campaign(ident).to_dict(self.now())

    @transactional
    def delete_campaign(self, ident: str) -> Record:
        campaign = self._campaign(ident)
        campaign.deleted = True
        self._save_campaign(campaign)
        self._emit("campaign.deleted", campaign.to_dict(self.now()))
        return {"id": campaign.id, "object": "campaign", "deleted": True}

    @transactional
    def list_campaigns(
        self, *, active: bool | None, limit: int, starting_after: str | None, ending_before: str | None
    ) -> Record:
        now = self.now()
        rows = [Campaign.from_row(row) for row in self.unit.rows("campaigns")]
        rows = [c for c in rows if not c.deleted]
        if active is not None:
            rows = [c for c in rows if (c.status(now) == "running") == active]
        return self._list(
            rows,
            lambda c: c.to_dict(now),
            "/v1/campaigns",
            key=_ident,
            created=_created,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
        )


def _ident(entity: Any) -> str:
    return str(entity.id)


def _created(entity: Any) -> int:
    return int(entity.created)
