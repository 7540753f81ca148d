// A small, pure Keystone v3 identity model: domains, projects, users with a role per
// project, and opaque bearer tokens with an expiry. No I/O and no timers: the time
// comes from an injected `now()`, the token ids from an injected generator.
import { randomBytes, randomUUID } from "node:crypto";

export type RoleName = "admin" | "member" | "reader";

export interface Domain {
  id: string;
  name: string;
}

export interface Project {
  id: string;
  name: string;
  domainId: string;
}

export interface User {
  id: string;
  name: string;
  domainId: string;
  password: string;
  /** project id → roles the user holds on it */
  roles: Record<string, RoleName[]>;
}

export interface Role {
  id: string;
  name: RoleName;
}

export interface Token {
  id: string;
  methods: string[];
  userId: string;
  projectId: string | undefined;
  roles: Role[];
  issuedAt: Date;
  expiresAt: Date;
  auditId: string;
}

/** Keystone answers 401 with one generic text whatever failed (it never says which part was wrong). */
export class Unauthenticated extends Error {
  constructor(readonly detail: string) {
    super("The request you have made requires authentication.");
    this.name = "Unauthenticated";
  }
}

export interface IdentitySeed {
  domains?: Domain[];
  projects: Project[];
  users: User[];
  /** token lifetime; Keystone's default is one hour */
  tokenTtlMs?: number;
  now?: () => Date;
  newTokenId?: () => string;
}

export interface UserRef {
  id?: string;
  name?: string;
  domain?: { id?: string; name?: string };
}

export interface ProjectRef {
  id?: string;
  name?: string;
  domain?: { id?: string; name?: string };
}

export const DEFAULT_DOMAIN: Domain = { id: "default", name: "Default" };

// Stable role ids so two runs of a lab print the same catalog.
const ROLE_IDS: Record<RoleName, string> = {
  admin: "3ff3cf2a1c3d4d7e9c6e4c8bb3c1a0a1",
  member: "9fe2ff9ee4384b1894a90878d3e92bab",
  reader: "4b1f1ad5a6a84f6aa4a1f5c8f06e2d77",
};

export class Identity {
  readonly domains: Map<string, Domain>;
  readonly projects: Map<string, Project>;
  readonly users: Map<string, User>;
  readonly tokenTtlMs: number;
  private readonly tokens = new Map<string, Token>();
  private readonly now: () => Date;
  private readonly newTokenId: () => string;

  constructor(seed: IdentitySeed) {
    this.domains = new Map([DEFAULT_DOMAIN, ...(seed.domains ?? [])].map((d) => [d.id, d]));
    this.projects = new Map(seed.projects.map((p) => [p.id, p]));
    this.users = new Map(seed.users.map((u) => [u.id, u]));
    this.tokenTtlMs = seed.tokenTtlMs ?? 3_600_000;
    this.now = seed.now ?? (() => new Date());
    // gAAAAA... is what Fernet tokens look like; the content is random, never derived from secrets.
    this.newTokenId = seed.newTokenId ?? (() => `gAAAAA${randomBytes(48).toString("base64url")}`);
  }

  /** Password authentication, optionally scoped to a project. */
  authenticatePassword(user: UserRef, password: string, scope?: ProjectRef): Token {
    const found = this.findUser(user);
    if (!found || found.password !== password) throw new Unauthenticated("invalid user or password");
    return this.issue(found, ["password"], scope, undefined);
  }

  /** Token authentication (re-scoping): the new token keeps the old one's expiry. */
  authenticateToken(tokenId: string, scope?: ProjectRef): Token {
    const old = this.validate(tokenId);
    if (!old) throw new Unauthenticated("invalid or expired token");
    const user = this.users.get(old.userId);
    if (!user) throw new Unauthenticated("token owner no longer exists");
    const methods = old.methods.includes("token") ? old.methods : ["token", ...old.methods];
    return this.issue(user, methods, scope, old.expiresAt);
  }

  /** The live token with this id, or undefined when unknown or expired. */
  validate(tokenId: string | undefined): Token | undefined {
    if (!tokenId) return undefined;
    const token = this.tokens.get(tokenId);
    if (!token) return undefined;
    if (token.expiresAt.getTime() <= this.now().getTime()) {
      this.tokens.delete(tokenId);
      return undefined;
    }
    return token;
  }

  revoke(tokenId: string): boolean {
    return this.tokens.delete(tokenId);
  }

  /** Forgets every token (a control-plane reset); users and projects stay. */
  resetTokens(): void {
    this.tokens.clear();
  }

  isAdmin(token: Token): boolean {
    return token.roles.some((r) => r.name === "admin");
  }

  userOf(token: Token): User | undefined {
    return this.users.get(token.userId);
  }

  projectOf(token: Token): Project | undefined {
    return token.projectId === undefined ? undefined : this.projects.get(token.projectId);
  }

  domain(id: string): Domain {
    return this.domains.get(id) ?? { id, name: id };
  }

  private issue(user: User, methods: string[], scope: ProjectRef | undefined, expiresAt?: Date): Token {
    let projectId: string | undefined;
    let roles: Role[] = [];
    if (scope) {
      const project = this.findProject(scope);
      const granted = project ? (user.roles[project.id] ?? []) : [];
      // Keystone refuses a scope the user holds no role on with the same 401.
      if (!project || granted.length === 0) throw new Unauthenticated("no role on the requested project");
      projectId = project.id;
      roles = impliedRoles(granted).map((name) => ({ id: ROLE_IDS[name], name }));
    }
    const issuedAt = this.now();
    const token: Token = {
      id: this.newTokenId(),
      methods,
      userId: user.id,
      projectId,
      roles,
      issuedAt,
      expiresAt: expiresAt ?? new Date(issuedAt.getTime() + this.tokenTtlMs),
      auditId: randomUUID().replaceAll("-", "").slice(0, 22),
    };
    this.tokens.set(token.id, token);
    return token;
  }

  private findUser(ref: UserRef): User | undefined {
    if (ref.id) return this.users.get(ref.id);
    if (!ref.name) return undefined;
    const domainId = this.resolveDomainId(ref.domain);
    for (const user of this.users.values()) {
      if (user.name === ref.name && user.domainId === domainId) return user;
    }
    return undefined;
  }

  private findProject(ref: ProjectRef): Project | undefined {
    if (ref.id) return this.projects.get(ref.id);
    if (!ref.name) return undefined;
    const domainId = this.resolveDomainId(ref.domain);
    for (const project of this.projects.values()) {
      if (project.name === ref.name && project.domainId === domainId) return project;
    }
    return undefined;
  }

  private resolveDomainId(ref: { id?: string; name?: string } | undefined): string | undefined {
    if (!ref) return undefined;
    if (ref.id) return ref.id;
    for (const domain of this.domains.values()) if (domain.name === ref.name) return domain.id;
    return undefined;
  }
}

/** Keystone's default implied roles: admin implies member, member implies reader. */
function impliedRoles(granted: RoleName[]): RoleName[] {
  const out = new Set<RoleName>(granted);
  if (out.has("admin")) out.add("member");
  if (out.has("member")) out.add("reader");
  return [...out];
}

export interface StandardIdentityOptions {
  adminPassword?: string;
  memberPassword?: string;
  tokenTtlMs?: number;
  now?: () => Date;
}

export interface StandardCredentials {
  projectId: string;
  projectName: string;
  adminUser: { id: string; name: string; password: string };
  memberUser: { id: string; name: string; password: string };
}

/**
 * The identity every fake cluster starts with: project `admin` holding user `admin`
 * (admin role) and user `member` (member role), in the Default domain, like a fresh
 * devstack. Ids are Keystone-shaped (32 hex digits).
 */
export function standardIdentity(options: StandardIdentityOptions = {}): {
  identity: Identity;
  credentials: StandardCredentials;
} {
  const hex = () => randomUUID().replaceAll("-", "");
  const projectId = hex();
  const adminUser = { id: hex(), name: "admin", password: options.adminPassword ?? "admin-secret" };
  const memberUser = { id: hex(), name: "member", password: options.memberPassword ?? "member-secret" };
  const identity = new Identity({
    projects: [{ id: projectId, name: "admin", domainId: "default" }],
    users: [
      { ...adminUser, domainId: "default", roles: { [projectId]: ["admin"] } },
      { ...memberUser, domainId: "default", roles: { [projectId]: ["member"] } },
    ],
    ...(options.tokenTtlMs === undefined ? {} : { tokenTtlMs: options.tokenTtlMs }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { identity, credentials: { projectId, projectName: "admin", adminUser, memberUser } };
}
