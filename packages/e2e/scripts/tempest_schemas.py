#!/usr/bin/python3
"""Validate a Cinder endpoint's responses with tempest's own volume clients.

Tempest's service clients (tempest.lib.services.volume.v3) check every response
against tempest.lib.api_schema.response.volume, choosing the schema by the
microversion they send, with tempest's validator and format checkers, and they
also check that the OpenStack-API-Version response header echoes the request.
Driving those clients (instead of re-implementing the validation) is how a
tempest run would judge the server.

Usage: tempest_schemas.py CONFIG_JSON
  CONFIG_JSON: {"auth_url": ".../v3", "username", "password", "project_name",
                "user_domain_name", "project_domain_name", "region",
                "microversions": [null, "3.9", ...], "timeout": 30,
                "admin": true}   (false: a member; the admin-only calls are skipped)
Prints one JSON object per line: {"mv", "check", "ok", "error"?}.
Exit status 0 when the script ran to the end, whatever the checks found; 2 on
bad usage or when authentication itself fails.
"""

import base64
import json
import sys
import time
import traceback
import uuid

from tempest.lib import auth
from tempest.lib import exceptions as lib_exc
from tempest.lib.services.volume import base_client
from tempest.lib.services.volume.v3 import backups_client
from tempest.lib.services.volume.v3 import limits_client
from tempest.lib.services.volume.v3 import versions_client
from tempest.lib.services.volume.v3 import volumes_client


def update_schema_is_versioned_away(mv):
    """VolumesClient.update_volume validates with the base (3.0) schema at every
    microversion, while Cinder answers an update with the detail view of the requested
    one (cluster_name from 3.61, volume_type_id from 3.63, ...). Real Cinder 21 fails
    that check too, so tempest never relies on it there; neither does this script."""
    if mv is None:
        return False
    if mv == "latest":
        return True
    major, minor = (int(x) for x in mv.split("."))
    return (major, minor) >= (3, 61)


def emit(mv, check, ok, error=None):
    rec = {"mv": mv or "none", "check": check, "ok": ok}
    if error is not None:
        rec["error"] = error
    print(json.dumps(rec), flush=True)


class Run:
    def __init__(self, cfg):
        creds = auth.KeystoneV3Credentials(
            username=cfg["username"],
            password=cfg["password"],
            project_name=cfg["project_name"],
            user_domain_name=cfg.get("user_domain_name", "Default"),
            project_domain_name=cfg.get("project_domain_name", "Default"),
        )
        self.provider = auth.KeystoneV3AuthProvider(creds, cfg["auth_url"])
        self.timeout = float(cfg.get("timeout", 30))
        args = (self.provider, "volumev3", cfg.get("region", "RegionOne"))
        kw = {"endpoint_type": "publicURL", "build_interval": 0.05,
              "build_timeout": self.timeout}
        self.volumes = volumes_client.VolumesClient(*args, **kw)
        self.backups = backups_client.BackupsClient(*args, **kw)
        self.limits = limits_client.LimitsClient(*args, **kw)
        self.versions = versions_client.VersionsClient(*args, **kw)
        self.mv = None
        self.admin = bool(cfg.get("admin", True))

    def check(self, name, fn):
        """Run one client call; a schema or status mismatch is a failed check."""
        try:
            out = fn()
        except (lib_exc.InvalidHTTPResponseBody,
                lib_exc.InvalidHTTPResponseHeader,
                lib_exc.InvalidHttpSuccessCode,
                lib_exc.JSONSchemaNotFound) as ex:
            emit(self.mv, name, False, "%s: %s" % (type(ex).__name__, ex))
            return None
        except Exception as ex:  # a 4xx/5xx, a crash: still this check's failure
            emit(self.mv, name, False, "%s: %s" % (type(ex).__name__, ex))
            return None
        emit(self.mv, name, True)
        return out

    def wait(self, show, key, rid, status):
        """Poll like tempest's waiters (without its sleep granularity)."""
        deadline = time.monotonic() + self.timeout
        last = None
        while time.monotonic() < deadline:
            last = show(rid)[key]["status"]
            if last == status:
                return
            if last.startswith("error") and status != last:
                raise AssertionError("%s %s went to %s" % (key, rid, last))
            time.sleep(0.02)
        raise AssertionError("%s %s stuck in %s, wanted %s" % (key, rid, last, status))

    def wait_gone(self, show, rid):
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            try:
                show(rid)
            except lib_exc.NotFound:
                return
            time.sleep(0.02)
        raise AssertionError("%s was not deleted" % rid)

    def scenario(self, mv):
        self.mv = mv
        base_client.VOLUME_MICROVERSION = mv
        v, b = self.volumes, self.backups
        vol = self.check("volumes.create_volume", lambda: v.create_volume(
            size=1, name="tempest-src-%s" % (mv or "none"),
            metadata={"purpose": "schema"}))
        if vol is None:
            return
        vid = vol["volume"]["id"]
        self.wait(v.show_volume, "volume", vid, "available")
        self.check("volumes.show_volume", lambda: v.show_volume(vid))
        self.check("volumes.list_volumes", lambda: v.list_volumes())
        self.check("volumes.list_volumes(detail)", lambda: v.list_volumes(detail=True))
        if not update_schema_is_versioned_away(mv):
            self.check("volumes.update_volume", lambda: v.update_volume(
                vid, description="updated by the schema check"))
        self.check("limits.show_limits", lambda: self.limits.show_limits())

        bk = self.check("backups.create_backup", lambda: b.create_backup(
            volume_id=vid, name="tempest-bk-%s" % (mv or "none")))
        if bk is None:
            return
        bid = bk["backup"]["id"]
        self.wait(b.show_backup, "backup", bid, "available")
        self.wait(v.show_volume, "volume", vid, "available")
        self.check("backups.show_backup", lambda: b.show_backup(bid))
        self.check("backups.list_backups", lambda: b.list_backups())
        self.check("backups.list_backups(detail)", lambda: b.list_backups(detail=True))
        if mv is not None and mv != "3.0":
            self.check("backups.update_backup", lambda: b.update_backup(
                bid, name="tempest-bk-renamed", description="renamed"))

        # Export, then import under a new id, as tempest's
        # test_volume_backup_export_import does.
        rec = self.check("backups.export_backup", lambda: b.export_backup(bid)) if self.admin else None
        clone_id = None
        if rec is not None:
            record = rec["backup-record"]
            data = json.loads(base64.b64decode(record["backup_url"]))
            clone_id = str(uuid.uuid4())
            data["id"] = clone_id
            url = base64.b64encode(json.dumps(data).encode()).decode()
            imp = self.check("backups.import_backup", lambda: b.import_backup(
                backup_service=record["backup_service"], backup_url=url))
            if imp is not None:
                self.wait(b.show_backup, "backup", clone_id, "available")
                self.check("backups.show_backup(imported)", lambda: b.show_backup(clone_id))

        # restore with an empty body: Cinder creates the volume
        res = self.check("backups.restore_backup({})", lambda: b.restore_backup(bid))
        if res is not None:
            new_vid = res["restore"]["volume_id"]
            self.wait(b.show_backup, "backup", bid, "available")
            self.wait(v.show_volume, "volume", new_vid, "available")
            self.check("volumes.show_volume(restored)", lambda: v.show_volume(new_vid))
            self.check("volumes.delete_volume", lambda: v.delete_volume(new_vid))
        res = self.check("backups.restore_backup(volume_id)",
                         lambda: b.restore_backup(bid, volume_id=vid))
        if res is not None:
            self.wait(b.show_backup, "backup", bid, "available")
            self.wait(v.show_volume, "volume", vid, "available")

        if self.admin:
            self.check("backups.reset_backup_status", lambda: b.reset_backup_status(bid, "error"))
            self.wait(b.show_backup, "backup", bid, "error")
        if clone_id is not None:
            self.check("backups.delete_backup(imported)", lambda: b.delete_backup(clone_id))
            self.wait_gone(b.show_backup, clone_id)
        self.check("backups.delete_backup", lambda: b.delete_backup(bid))
        self.wait_gone(b.show_backup, bid)
        v.delete_volume(vid)
        self.wait_gone(v.show_volume, vid)

    def versions_checks(self):
        self.mv = None
        base_client.VOLUME_MICROVERSION = None
        self.check("versions.list_versions", lambda: self.versions.list_versions())
        self.check("versions.show_version(v3)", lambda: self.versions.show_version("v3"))


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    cfg = json.loads(sys.argv[1])
    run = Run(cfg)
    try:
        run.provider.get_token()
    except Exception as ex:
        print("authentication failed: %s" % ex, file=sys.stderr)
        return 2
    run.versions_checks()
    for mv in cfg.get("microversions", [None]):
        try:
            run.scenario(mv)
        except Exception as ex:
            emit(mv, "scenario", False, "%s: %s" % (type(ex).__name__, traceback.format_exc(limit=3)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
