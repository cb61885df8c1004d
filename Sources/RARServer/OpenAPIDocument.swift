// Generated from schemas/openapi.yaml by schemas/embed_openapi.py; do not edit.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: RAR registry server
  version: 1.0.0
  summary: Publish, search, resolve and install single-file Python AI agents.
  description: |
    HTTP API of `rar serve`.

    * Every error is an RFC 7807 problem document (`application/problem+json`, schema `Problem`).
      Its `type` is a stable URN per status (`urn:rar:problem:not-found`, ...); unexpected
      failures use `about:blank` with status 500.
    * Agents are named `@publisher/slug`. In URLs the publisher is one path segment and keeps
      its `@` (`/api/v1/agents/@acme/release_notes`); the API routes also accept it without
      the `@`. The static files below need the exact `@publisher` spelling.
    * Versions are semantic versions and immutable: a published version is never replaced, and
      a deleted version keeps its number (a tombstone).
    * Changes need a bearer token (`Authorization: Bearer rar_...`). A token holds scopes:
      `read` (every token), `publish`, `yank` (yank, unyank, deprecate, delete) and `admin`
      (only for admin users; implies every other scope).
    * Rate limits are per token, or per client address without one, per minute: `publish`,
      `yank` (every lifecycle change), `admin`, `token` (creating tokens) and `read` (search,
      resolve, eggs). Past a limit the answer is 429 with `Retry-After` in seconds.
    * Any operation that touches the database may answer 503 (with `Retry-After`) while the
      database is busy, full or read-only.
    * Timestamps are UTC, `YYYY-MM-DDTHH:MM:SSZ`.

    Besides the documented paths, every other `GET` path is looked up in the live output of
    `rar build` (registry.json, the static JSON API, raw agent files, card SVGs): a file
    found there is served with an `ETag` and `If-None-Match` support, anything else is 404.
  license:
    name: MIT
    identifier: MIT
servers:
  - url: /
tags:
  - name: agents
    description: Agents, their versions and their source files.
  - name: publishing
    description: Uploading new versions.
  - name: lifecycle
    description: Yank, unyank, deprecate, delete and tier changes.
  - name: discovery
    description: Search, seed and incantation resolution, signing keys.
  - name: eggs
    description: Compact seed strings and `.egg` bundles.
  - name: accounts
    description: The caller and their tokens.
  - name: admin
    description: Users, teams, namespaces and the audit log (admin tokens only).
  - name: static
    description: |
      The live `rar build` output, rebuilt whenever the registry changes. Only the main files
      are listed; any other path of the build output is served the same way.
  - name: operations
    description: Health, readiness, metrics and this document.

paths:
  # ---------------------------------------------------------------- operations
  /healthz:
    get:
      tags: [operations]
      operationId: health
      summary: Liveness probe
      security: []
      responses:
        '200':
          description: The process is up.
          content:
            text/plain:
              schema: {type: string, const: "ok\n"}
  /readyz:
    get:
      tags: [operations]
      operationId: readiness
      summary: Readiness probe (the database answers and the search index is loaded)
      security: []
      responses:
        '200':
          description: Ready.
          content:
            text/plain:
              schema: {type: string, const: "ready\n"}
        '503':
          description: The database is not reachable, or the search index is still loading.
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
  /metrics:
    get:
      tags: [operations]
      operationId: metrics
      summary: Prometheus metrics (text exposition format 0.0.4)
      security: []
      responses:
        '200':
          description: Request counters, latency histogram, registry events, agent count, uptime.
          content:
            text/plain:
              schema: {type: string}
  /openapi.yaml:
    get:
      tags: [operations]
      operationId: openapi
      summary: This document
      security: []
      responses:
        '200':
          description: The OpenAPI 3.1 description of this server.
          headers:
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/yaml:
              schema:
                type: object
                required: [openapi, info, paths]
                properties:
                  openapi: {const: 3.1.0}

  # ---------------------------------------------------------------- agents
  /api/v1/agents/{publisher}/{slug}:
    get:
      tags: [agents]
      operationId: getAgent
      summary: One agent with all its versions
      description: |
        A slug ending in `.json` is not an agent name: such paths are the static per-agent
        documents (see `getStaticAgentDocument`).
      security: []
      parameters:
        - $ref: '#/components/parameters/Publisher'
        - $ref: '#/components/parameters/Slug'
      responses:
        '200':
          description: The agent.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Agent'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/agents/{publisher}/{slug}/latest:
    get:
      tags: [agents]
      operationId: getLatestVersion
      summary: The newest live, unyanked version
      security: []
      parameters:
        - $ref: '#/components/parameters/Publisher'
        - $ref: '#/components/parameters/Slug'
      responses:
        '200':
          description: The version record.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Version'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/agents/{publisher}/{slug}/latest/source:
    get:
      tags: [agents]
      operationId: getLatestSource
      summary: Source of the newest live, unyanked version
      description: Same as `getVersionSource` for the version `getLatestVersion` names. Counts an install.
      security: []
      parameters:
        - $ref: '#/components/parameters/Publisher'
        - $ref: '#/components/parameters/Slug'
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200': {$ref: '#/components/responses/Source'}
        '304': {$ref: '#/components/responses/SourceNotModified'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '410': {$ref: '#/components/responses/Gone'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/agents/{publisher}/{slug}/versions/{version}:
    get:
      tags: [agents]
      operationId: getVersion
      summary: One version (also a deleted one, as a tombstone)
      security: []
      parameters:
        - $ref: '#/components/parameters/Publisher'
        - $ref: '#/components/parameters/Slug'
        - $ref: '#/components/parameters/Version'
      responses:
        '200':
          description: The version record.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Version'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}
    put:
      tags: [publishing]
      operationId: publishVersion
      summary: Publish a version at its own URL
      description: |
        Same as `publish`, but the URL must name the agent and the version the file's
        `__manifest__` declares (otherwise 422).
      security:
        - bearer: []
      parameters:
        - $ref: '#/components/parameters/TargetPublisher'
        - $ref: '#/components/parameters/TargetSlug'
        - $ref: '#/components/parameters/TargetVersion'
      requestBody: {$ref: '#/components/requestBodies/AgentFile'}
      responses:
        '201': {$ref: '#/components/responses/Published'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '422': {$ref: '#/components/responses/InvalidAgent'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
    delete:
      tags: [lifecycle]
      operationId: deleteVersion
      summary: Delete a version (within 72 hours of publishing)
      description: |
        Drops the bytes and leaves a tombstone: the version record stays (with `deleted: true`),
        its source answers 410 and the number is never reused. Older versions can only be
        yanked (403). Scope `yank`, owners of the namespace only.
      security:
        - bearer: []
      parameters:
        - $ref: '#/components/parameters/TargetPublisher'
        - $ref: '#/components/parameters/TargetSlug'
        - $ref: '#/components/parameters/TargetVersion'
      responses:
        '200':
          description: Deleted.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeleteResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/agents/{publisher}/{slug}/versions/{version}/source:
    get:
      tags: [agents]
      operationId: getVersionSource
      summary: The exact bytes of one version
      description: |
        Immutable, so cacheable for a year. The `ETag` is the SHA-256 of the bytes served;
        `X-RAR-SHA256-LF` is the registry's `sha256-lf-v1` (CRLF normalised to LF).
        A yanked version is still served, with `X-RAR-Yanked`. Counts an install.
      security: []
      parameters:
        - $ref: '#/components/parameters/Publisher'
        - $ref: '#/components/parameters/Slug'
        - $ref: '#/components/parameters/Version'
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200': {$ref: '#/components/responses/Source'}
        '304': {$ref: '#/components/responses/SourceNotModified'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '410': {$ref: '#/components/responses/Gone'}
        '503': {$ref: '#/components/responses/Unavailable'}

  # ---------------------------------------------------------------- publishing
  /api/v1/publish:
    post:
      tags: [publishing]
      operationId: publish
      summary: Publish a new version of an agent
      description: |
        The body is the agent's `.py` file. It is checked exactly as `rar validate` checks it,
        then as `rar build` would; it is never run. The agent and version come from its
        `__manifest__`. Scope `publish`; the namespace must exist and belong to the caller
        (admins create a missing namespace by publishing into it). A `quality_tier` of
        `verified`, `official` or `frontier` is granted by admins only: others are published
        as `community`, with a `T1` warning.
      security:
        - bearer: []
      requestBody: {$ref: '#/components/requestBodies/AgentFile'}
      responses:
        '201': {$ref: '#/components/responses/Published'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '409': {$ref: '#/components/responses/Conflict'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '422': {$ref: '#/components/responses/InvalidAgent'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}

  # ---------------------------------------------------------------- lifecycle
  /api/v1/agents/{publisher}/{slug}/versions/{version}/yank:
    post:
      tags: [lifecycle]
      operationId: yankVersion
      summary: Yank a version
      description: |
        A yanked version is no longer `latest` and leaves registry.json, but stays installable
        by exact version. Scope `yank`, owners of the namespace only.
      security:
        - bearer: []
      parameters:
        - $ref: '#/components/parameters/TargetPublisher'
        - $ref: '#/components/parameters/TargetSlug'
        - $ref: '#/components/parameters/TargetVersion'
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/YankRequest'}
      responses:
        '200':
          description: Yanked.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/YankResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/agents/{publisher}/{slug}/versions/{version}/unyank:
    post:
      tags: [lifecycle]
      operationId: unyankVersion
      summary: Undo a yank
      description: Scope `yank`, owners of the namespace only. The request body is ignored.
      security:
        - bearer: []
      parameters:
        - $ref: '#/components/parameters/TargetPublisher'
        - $ref: '#/components/parameters/TargetSlug'
        - $ref: '#/components/parameters/TargetVersion'
      responses:
        '200':
          description: No longer yanked.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/UnyankResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/agents/{publisher}/{slug}/deprecate:
    post:
      tags: [lifecycle]
      operationId: deprecateAgent
      summary: Deprecate an agent, or undo it
      description: |
        A non-empty `message` deprecates the agent; an empty or missing one (or an empty body)
        removes the deprecation. Scope `yank`, owners of the namespace only.
      security:
        - bearer: []
      parameters:
        - $ref: '#/components/parameters/TargetPublisher'
        - $ref: '#/components/parameters/TargetSlug'
      requestBody:
        required: false
        content:
          application/json:
            schema: {$ref: '#/components/schemas/DeprecateRequest'}
      responses:
        '200':
          description: The agent's deprecation message now.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DeprecateResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/admin/agents/{publisher}/{slug}/tier:
    put:
      tags: [lifecycle, admin]
      operationId: setAgentTier
      summary: Set an agent's quality tier
      description: Admin tokens only. Rate limit `admin`.
      security:
        - bearer: []
      parameters:
        - $ref: '#/components/parameters/TargetPublisher'
        - $ref: '#/components/parameters/TargetSlug'
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/TierRequest'}
      responses:
        '200':
          description: The new tier.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TierResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}

  # ---------------------------------------------------------------- discovery
  /api/v1/search:
    get:
      tags: [discovery]
      operationId: search
      summary: Full-text search over agents with a live version
      description: |
        Every word of `q` must match (as a prefix) the name, display name, description, tags
        or docstring; without `q` all agents match, sorted by name. Filters are exact. Facet
        counts cover every match, not just the page. A token is optional and only selects
        the rate-limit bucket (rate limit `read`).
      security:
        - {}
        - bearer: []
      parameters:
        - name: q
          in: query
          description: Search words; at most 512 bytes of UTF-8 (only the first 16 words count).
          schema: {type: string, maxLength: 512}
          example: json
        - name: category
          in: query
          description: Exact category, e.g. `devtools`.
          schema: {type: string}
        - name: tier
          in: query
          description: Exact quality tier (`experimental`, `community`, `verified`, `official`, `frontier`).
          schema: {type: string}
        - name: publisher
          in: query
          description: Exact publisher, with or without its `@`.
          schema: {type: string}
        - name: type
          in: query
          description: Exact agent type, e.g. `agent`.
          schema: {type: string}
        - name: page
          in: query
          schema: {type: integer, minimum: 1, maximum: 10000, default: 1}
        - name: per_page
          in: query
          schema: {type: integer, minimum: 1, maximum: 100, default: 20}
      responses:
        '200':
          description: One page of results.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/SearchResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/resolve:
    get:
      tags: [discovery]
      operationId: resolve
      summary: Resolve a seed or a 7-word incantation to an agent or a preview card
      description: |
        Give `incantation` or `seed` (if both, `incantation` wins; with neither, 400). A seed
        or incantation of a registry agent (its current seed or an old alias) answers
        `match: agent`; any other valid one answers `match: preview` with the card the seed
        alone describes. An incantation that does not decode answers 422 with
        `token_count` and spelling `suggestions`. Rate limit `read`.
      security: []
      parameters:
        - name: incantation
          in: query
          description: Seven words from the incantation word list, separated by spaces (case-insensitive); at most 1024 bytes.
          schema: {type: string, maxLength: 1024}
          example: BLOOM COVEN DUSK PROWESS CASCADE SANCTIFY ETCH
        - name: seed
          in: query
          description: A decimal seed, a non-negative integer below 2^66.
          schema: {$ref: '#/components/schemas/SeedString'}
          example: '16006312818521945168'
      responses:
        '200':
          description: What the seed names.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ResolveResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '422': {$ref: '#/components/responses/NotAnIncantation'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/keys:
    get:
      tags: [discovery]
      operationId: getKeys
      summary: The public key that signs registry.json and served eggs
      description: In the keyring form `rar egg verify --keyring` reads.
      security: []
      responses:
        '200':
          description: The keyring.
          headers:
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Keyring'}
  /api/v1/namespaces/{namespace}:
    get:
      tags: [discovery]
      operationId: getNamespace
      summary: A namespace, its owner and its agents
      security: []
      parameters:
        - $ref: '#/components/parameters/Namespace'
      responses:
        '200':
          description: The namespace.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/NamespaceDetail'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}

  # ---------------------------------------------------------------- eggs
  /api/v1/eggs/forge:
    post:
      tags: [eggs]
      operationId: forgeCompact
      summary: Compact seed string for a list of agents
      description: Every name must be an agent with a live version (else 404). Rate limit `read`.
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ForgeRequest'}
      responses:
        '200':
          description: The compact string and the agents it names.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ForgeResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/eggs/expand:
    get:
      tags: [eggs]
      operationId: expandCompact
      summary: The agents (or preview cards) a compact seed string names
      description: |
        Decoding is strict (canonical base64url, whole seeds, `v2.` only when a seed needs
        more than 64 bits); anything else is 422. Rate limit `read`.
      security: []
      parameters:
        - name: compact
          in: query
          required: true
          description: A compact seed string as `forgeCompact` makes it; at most 4096 bytes.
          schema: {$ref: '#/components/schemas/CompactString'}
          example: 3iHYtA_INFA
      responses:
        '200':
          description: One item per seed, in order.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/ExpandResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '422': {$ref: '#/components/responses/Unprocessable'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/eggs/download:
    post:
      tags: [eggs]
      operationId: downloadEgg
      summary: A signed `.egg` bundle of agents
      description: |
        Name the agents with `agents`, or with a `compact` string (which wins). Each must
        resolve to an agent with a live version (else 404). The egg is signed with the key
        of `getKeys`. A `rapplication` holds exactly one agent (else 400). Rate limit `read`.
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/DownloadRequest'}
      responses:
        '200':
          description: The egg (a zip archive).
          headers:
            Content-Disposition:
              description: '`attachment; filename="KIND.egg"`'
              required: true
              schema: {type: string, pattern: '^attachment; filename="(organism|rapplication)\.egg"$'}
          content:
            application/zip:
              schema: {type: string, contentMediaType: application/zip}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '422': {$ref: '#/components/responses/Unprocessable'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}

  # ---------------------------------------------------------------- accounts
  /api/v1/whoami:
    get:
      tags: [accounts]
      operationId: whoami
      summary: The caller behind the token
      security:
        - bearer: []
      responses:
        '200':
          description: The caller.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/WhoAmI'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/tokens:
    get:
      tags: [accounts]
      operationId: listTokens
      summary: The caller's tokens (without their secrets)
      security:
        - bearer: []
      responses:
        '200':
          description: Every token of the caller, revoked and expired ones included.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TokenList'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '503': {$ref: '#/components/responses/Unavailable'}
    post:
      tags: [accounts]
      operationId: createToken
      summary: Create a token
      description: |
        For the caller, with a subset of the caller's own scopes; admins may create tokens for
        any user (`user`), and only admin users can hold `admin`. `read` is always added. The
        secret is in the response only. Rate limit `token`.
      security:
        - bearer: []
      requestBody:
        required: false
        content:
          application/json:
            schema: {$ref: '#/components/schemas/TokenRequest'}
      responses:
        '201':
          description: The new token, with its secret.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/NewToken'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/tokens/{id}:
    delete:
      tags: [accounts]
      operationId: revokeToken
      summary: Revoke a token
      description: Your own tokens; admins revoke anyone's. Revoking twice is not an error.
      security:
        - bearer: []
      parameters:
        - name: id
          in: path
          required: true
          description: The token's public id (`tok_...`), as `listTokens` shows it.
          schema: {type: string, pattern: '^tok_[a-z2-7]{1,64}$'}
      responses:
        '200':
          description: Revoked.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/RevokeResult'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}

  # ---------------------------------------------------------------- admin
  /api/v1/admin/users:
    get:
      tags: [admin]
      operationId: listUsers
      summary: Every user
      security:
        - bearer: []
      responses:
        '200':
          description: Users by name.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/UserList'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
    post:
      tags: [admin]
      operationId: createUser
      summary: Create a user
      description: User and team names share one space (409 when taken).
      security:
        - bearer: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/UserRequest'}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/User'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '409': {$ref: '#/components/responses/Conflict'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/admin/teams:
    post:
      tags: [admin]
      operationId: createTeam
      summary: Create a team
      description: Every member must be an existing user (else 404).
      security:
        - bearer: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/TeamRequest'}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Team'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/admin/teams/{team}/members:
    post:
      tags: [admin]
      operationId: addTeamMember
      summary: Add a user to a team
      description: Adding a member twice is not an error.
      security:
        - bearer: []
      parameters:
        - name: team
          in: path
          required: true
          schema: {$ref: '#/components/schemas/AccountName'}
          example: core
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/TeamMemberRequest'}
      responses:
        '200':
          description: Added.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/TeamMember'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/admin/namespaces:
    post:
      tags: [admin]
      operationId: createNamespace
      summary: Create a namespace (`@publisher`)
      description: |
        The owner (default: the caller) is a user name or `team:NAME` and must exist (else
        404). Names are unique ignoring case (409).
      security:
        - bearer: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NamespaceRequest'}
      responses:
        '201':
          description: Created.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Namespace'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/admin/namespaces/{namespace}/transfer:
    post:
      tags: [admin]
      operationId: transferNamespace
      summary: Give a namespace to another user or team
      security:
        - bearer: []
      parameters:
        - $ref: '#/components/parameters/Namespace'
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/TransferRequest'}
      responses:
        '200':
          description: Transferred.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Namespace'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '404': {$ref: '#/components/responses/NotFound'}
        '413': {$ref: '#/components/responses/TooLarge'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/audit:
    get:
      tags: [admin]
      operationId: listAudit
      summary: The append-only audit log, oldest first
      description: Page with `after` = the previous page's `next`.
      security:
        - bearer: []
      parameters:
        - name: after
          in: query
          description: Only events with a larger id.
          schema: {type: integer, format: int64, default: 0}
        - name: limit
          in: query
          description: Events per page; values outside 1–1000 are clamped into that range.
          schema: {type: integer, default: 100}
      responses:
        '200':
          description: One page of events.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/AuditPage'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '401': {$ref: '#/components/responses/Unauthorized'}
        '403': {$ref: '#/components/responses/Forbidden'}
        '429': {$ref: '#/components/responses/RateLimited'}
        '503': {$ref: '#/components/responses/Unavailable'}

  # ---------------------------------------------------------------- static build output
  /:
    get:
      tags: [static]
      operationId: getIndex
      summary: The catalog home page
      description: The catalog's `index.html` (live mode), rendered from the database.
      security: []
      parameters:
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: HTML.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            text/html:
              schema: {type: string}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /registry.json:
    get:
      tags: [static]
      operationId: getRegistry
      summary: The whole registry (`rapp-registry/1.1`)
      description: One entry per agent (its latest live, unyanked version), as `rar build` writes it.
      security: []
      parameters:
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: registry.json.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Registry'}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /registry.json.sig:
    get:
      tags: [static]
      operationId: getRegistrySignature
      summary: Detached JWS over registry.json
      description: EdDSA, with the key of `getKeys` (`kid` in the protected header); the payload is not embedded.
      security: []
      responses:
        '200':
          description: Compact JWS with an empty payload part.
          content:
            application/jose:
              schema: {type: string, pattern: '^[A-Za-z0-9_-]+\.\.[A-Za-z0-9_-]+\n$'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /manifest.json:
    get:
      tags: [static]
      operationId: getStaticManifest
      summary: Discovery document of the static API
      security: []
      parameters:
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: Endpoints with URL templates and descriptions.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/StaticManifest'}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/catalog.json:
    get:
      tags: [static]
      operationId: getCatalog
      summary: One lean record per agent, sorted by name
      security: []
      parameters:
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: The catalog.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Catalog'}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/taxonomy.json:
    get:
      tags: [static]
      operationId: getTaxonomy
      summary: Categories, publishers, tiers and tags with counts
      security: []
      parameters:
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: The taxonomy.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Taxonomy'}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/status.json:
    get:
      tags: [static]
      operationId: getStatus
      summary: Counts and content hashes of the static API
      security: []
      parameters:
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: The status document.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Status'}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/badge.json:
    get:
      tags: [static]
      operationId: getBadge
      summary: shields.io endpoint badge
      security: []
      parameters:
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: The badge.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Badge'}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/agents/{publisher}/{slug}.json:
    get:
      tags: [static]
      operationId: getStaticAgentDocument
      summary: Static document of one agent's latest version
      description: Versions, sha256, seed, incantation, card and install URL of the agent's registry.json entry.
      security: []
      parameters:
        - name: publisher
          in: path
          required: true
          description: The publisher with its `@`.
          schema: {type: string, pattern: '^@[A-Za-z0-9_-]{1,64}$'}
          example: '@acme'
        - name: slug
          in: path
          required: true
          schema: {type: string, pattern: '^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$'}
          example: release_notes
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: The agent document.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/StaticAgentDocument'}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/seeds/{seed}.json:
    get:
      tags: [static]
      operationId: getSeedDocument
      summary: A registry agent by its seed (current or alias)
      security: []
      parameters:
        - name: seed
          in: path
          required: true
          schema: {type: string, pattern: '^(0|[1-9][0-9]{0,19})$'}
          example: '16006312818521945168'
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: The agent the seed names, with its card.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/SeedDocument'}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /api/v1/incantations/{incantation}.json:
    get:
      tags: [static]
      operationId: getIncantationDocument
      summary: A registry agent by its incantation
      security: []
      parameters:
        - name: incantation
          in: path
          required: true
          description: Seven lower-case words joined by `-`.
          schema: {type: string, pattern: '^[a-z]+(-[a-z]+){6}$'}
          example: bloom-coven-dusk-prowess-cascade-sanctify-etch
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: Same document as `getSeedDocument`.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/SeedDocument'}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /cards/{seed}.svg:
    get:
      tags: [static]
      operationId: getCardSVG
      summary: Card image of a registry agent's current seed
      security: []
      parameters:
        - name: seed
          in: path
          required: true
          schema: {type: string, pattern: '^(0|[1-9][0-9]{0,19})$'}
          example: '16006312818521945168'
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: SVG.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            image/svg+xml:
              schema: {type: string}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}
  /agents/{publisher}/{file}:
    get:
      tags: [static]
      operationId: getRegistryFile
      summary: Raw agent file at its registry path (`_file`)
      description: The source of the agent's latest live version; prefer `getVersionSource` for pinned installs.
      security: []
      parameters:
        - name: publisher
          in: path
          required: true
          description: The publisher with its `@`.
          schema: {type: string, pattern: '^@[A-Za-z0-9_-]{1,64}$'}
          example: '@acme'
        - name: file
          in: path
          required: true
          schema: {type: string, pattern: '^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}\.py$'}
          example: release_notes_agent.py
        - $ref: '#/components/parameters/IfNoneMatch'
      responses:
        '200':
          description: The Python source.
          headers:
            ETag: {$ref: '#/components/headers/StaticETag'}
            Cache-Control: {$ref: '#/components/headers/CacheControl'}
          content:
            text/x-python:
              schema: {type: string}
        '304': {$ref: '#/components/responses/StaticNotModified'}
        '404': {$ref: '#/components/responses/NotFound'}
        '503': {$ref: '#/components/responses/Unavailable'}

components:
  securitySchemes:
    bearer:
      type: http
      scheme: bearer
      bearerFormat: rar_<32 characters of a-z and 2-7>
      description: |
        `Authorization: Bearer rar_...`. Tokens are created with `createToken` (or `rar login`)
        and carry scopes: `read`, `publish`, `yank`, `admin`. A missing, malformed, unknown,
        expired or revoked token is 401; a token without the scope an operation needs is 403.

  parameters:
    Publisher:
      name: publisher
      in: path
      required: true
      description: The publisher segment of the agent name, `@` included (accepted without it).
      schema: {$ref: '#/components/schemas/PublisherSegment'}
      example: '@acme'
    Slug:
      name: slug
      in: path
      required: true
      schema: {$ref: '#/components/schemas/Slug'}
      example: release_notes
    Version:
      name: version
      in: path
      required: true
      schema: {$ref: '#/components/schemas/SemVer'}
      example: '2.0.1'
    TargetPublisher:
      name: publisher
      in: path
      required: true
      description: The publisher segment of the agent name, `@` included (accepted without it).
      schema: {$ref: '#/components/schemas/PublisherSegment'}
      example: '@acme'
    TargetSlug:
      name: slug
      in: path
      required: true
      schema: {$ref: '#/components/schemas/Slug'}
      example: echo
    TargetVersion:
      name: version
      in: path
      required: true
      schema: {$ref: '#/components/schemas/SemVer'}
      example: '1.0.0'
    Namespace:
      name: namespace
      in: path
      required: true
      description: A namespace, with or without its `@`.
      schema: {$ref: '#/components/schemas/PublisherSegment'}
      example: '@acme'
    IfNoneMatch:
      name: If-None-Match
      in: header
      required: false
      description: An `ETag` from an earlier answer; an unchanged resource then answers 304.
      schema: {type: string}

  headers:
    CacheControl:
      required: true
      schema: {type: string}
    StaticETag:
      description: First 32 hex digits of the SHA-256 of the file, quoted.
      required: true
      schema: {type: string, pattern: '^"[0-9a-f]{32}"$'}
    SourceETag:
      description: SHA-256 of the bytes served, quoted.
      required: true
      schema: {type: string, pattern: '^"[0-9a-f]{64}"$'}
    SHA256LF:
      description: '`sha256-lf-v1` of the source: SHA-256 after CRLF → LF.'
      required: true
      schema: {$ref: '#/components/schemas/SHA256'}
    Yanked:
      description: Present when the version is yanked; the yank reason.
      required: false
      schema: {type: string}
    RetryAfter:
      description: Seconds to wait before retrying.
      required: true
      schema: {type: string, pattern: '^[0-9]+$'}
    RetryAfterOptional:
      description: Seconds to wait before retrying.
      required: false
      schema: {type: string, pattern: '^[0-9]+$'}
    WWWAuthenticate:
      required: false
      schema: {type: string, const: 'Bearer realm="rar"'}

  requestBodies:
    AgentFile:
      required: true
      description: The agent's `.py` file, UTF-8, at most 1 MiB. The Content-Type is not checked.
      content:
        text/x-python:
          schema: {type: string, minLength: 1, maxLength: 1048576}
          example: |
            """Echo: returns its input text unchanged (an example for the publish API)."""

            __manifest__ = {
                "schema": "rapp-agent/1.0",
                "name": "@acme/echo",
                "version": "1.0.0",
                "display_name": "Echo",
                "description": "Returns the text it is given, unchanged.",
                "author": "Acme",
                "tags": ["example"],
                "category": "devtools",
                "quality_tier": "community",
                "requires_env": [],
                "dependencies": ["@rapp/basic_agent"],
            }

            from agents.basic_agent import BasicAgent


            class EchoAgent(BasicAgent):
                def __init__(self):
                    self.name = "Echo"
                    self.metadata = {
                        "name": self.name,
                        "description": __manifest__["description"],
                        "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": []},
                    }
                    super().__init__(name=self.name, metadata=self.metadata)

                def perform(self, **kwargs) -> str:
                    return str(kwargs.get("text", ""))

  responses:
    Published:
      description: Published.
      headers:
        Location:
          description: URL of the new version (`getVersion`).
          required: true
          schema: {type: string}
      content:
        application/json:
          schema: {$ref: '#/components/schemas/PublishResult'}
    Source:
      description: The agent file.
      headers:
        ETag: {$ref: '#/components/headers/SourceETag'}
        X-RAR-SHA256-LF: {$ref: '#/components/headers/SHA256LF'}
        X-RAR-Yanked: {$ref: '#/components/headers/Yanked'}
        Cache-Control: {$ref: '#/components/headers/CacheControl'}
        Content-Disposition:
          description: '`attachment; filename="SLUG_agent.py"`'
          required: true
          schema: {type: string, pattern: '^attachment; filename=".+\.py"$'}
      content:
        text/x-python:
          schema: {type: string}
    SourceNotModified:
      description: The `If-None-Match` ETag is current.
      headers:
        ETag: {$ref: '#/components/headers/SourceETag'}
        X-RAR-SHA256-LF: {$ref: '#/components/headers/SHA256LF'}
        X-RAR-Yanked: {$ref: '#/components/headers/Yanked'}
        Cache-Control: {$ref: '#/components/headers/CacheControl'}
    StaticNotModified:
      description: The `If-None-Match` ETag is current.
      headers:
        ETag: {$ref: '#/components/headers/StaticETag'}
        Cache-Control: {$ref: '#/components/headers/CacheControl'}
    BadRequest:
      description: The request is malformed (a parameter or body member is missing, of the wrong form or out of range; the body is not a JSON object).
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem400'}
    Unauthorized:
      description: No token, or the token is malformed, unknown, expired or revoked.
      headers:
        WWW-Authenticate: {$ref: '#/components/headers/WWWAuthenticate'}
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem401'}
    Forbidden:
      description: The token lacks the scope, or the caller does not own the namespace, or the action is not allowed.
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem403'}
    NotFound:
      description: No such agent, version, user, team, namespace, token or file (or the path names none).
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem404'}
    Conflict:
      description: The thing exists already (versions are immutable; names are unique).
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem409'}
    Gone:
      description: The version was deleted; its number stays reserved.
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem410'}
    TooLarge:
      description: The body is over the limit (1 MiB for agent files, 64 KiB for JSON).
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem413'}
    InvalidAgent:
      description: The file is not a publishable agent, or it does not match the URL. `diagnostics` lists every finding.
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/InvalidAgentProblem'}
    NotAnIncantation:
      description: The incantation does not decode; `suggestions` maps unknown words to near words.
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/IncantationProblem'}
    Unprocessable:
      description: The compact string is well-formed text but not a valid compact egg string.
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/CompactStringProblem'}
    RateLimited:
      description: Rate limit reached.
      headers:
        Retry-After: {$ref: '#/components/headers/RetryAfter'}
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem429'}
    Unavailable:
      description: The database is busy, full or read-only; retry later.
      headers:
        Retry-After: {$ref: '#/components/headers/RetryAfterOptional'}
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem503'}

  schemas:
    # ------------------------------------------------------------ names and values
    PublisherSegment:
      description: '`@publisher` (the `@` may be left out): letters, digits, `_`, `-`; at most 64 after the `@`.'
      type: string
      pattern: '^@?[A-Za-z0-9_-]{1,64}$'
    Slug:
      description: Letters, digits, `_`, `-`, `.`; not starting with `.`, not ending in `.json`; at most 100.
      type: string
      pattern: '^(?!.*\.json$)[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$'
    AgentName:
      type: string
      pattern: '^@[A-Za-z0-9_-]{1,64}/[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$'
      examples: ['@acme/release_notes']
    SemVer:
      description: A semantic version (MAJOR.MINOR.PATCH, optional pre-release and build), at most 128 bytes.
      type: string
      maxLength: 128
      pattern: '^(0|[1-9][0-9]{0,17})\.(0|[1-9][0-9]{0,17})\.(0|[1-9][0-9]{0,17})(-(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)(\.(0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*))*)?(\+[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?$'
    AccountName:
      description: A user or team name.
      type: string
      pattern: '^[a-z0-9_][a-z0-9_-]{0,63}$'
    Owner:
      description: A user name, or `team:` and a team name.
      type: string
      pattern: '^(team:)?[a-z0-9_][a-z0-9_-]{0,63}$'
    Tier:
      type: string
      enum: [experimental, community, verified, official, frontier]
    Scope:
      type: string
      enum: [read, publish, yank, admin]
    SHA256:
      type: string
      pattern: '^[0-9a-f]{64}$'
    SeedString:
      description: Decimal seed (a non-negative integer below 2^66).
      type: string
      pattern: '^[0-9]{1,20}$'
    CompactString:
      type: string
      minLength: 1
      maxLength: 4096
      pattern: '^(v2\.)?[A-Za-z0-9_-]+$'
    Timestamp:
      type: string
      format: date-time
      pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'

    # ------------------------------------------------------------ problems
    Problem:
      description: RFC 7807 problem details.
      type: object
      required: [type, title, status, detail]
      properties:
        type:
          type: string
          enum:
            - urn:rar:problem:bad-request
            - urn:rar:problem:unauthorized
            - urn:rar:problem:forbidden
            - urn:rar:problem:not-found
            - urn:rar:problem:method-not-allowed
            - urn:rar:problem:conflict
            - urn:rar:problem:gone
            - urn:rar:problem:too-large
            - urn:rar:problem:invalid-agent
            - urn:rar:problem:invalid-incantation
            - urn:rar:problem:invalid-compact-string
            - urn:rar:problem:rate-limited
            - urn:rar:problem:unavailable
            - urn:rar:problem:request-timeout
            - about:blank
        title: {type: string}
        status: {type: integer, minimum: 400, maximum: 599}
        detail: {type: string}
        diagnostics:
          type: array
          items: {$ref: '#/components/schemas/Diagnostic'}
        token_count:
          description: Words in the rejected incantation.
          type: integer
          minimum: 0
        suggestions:
          description: Unknown incantation word → the nearest known words.
          type: object
          additionalProperties:
            type: array
            items: {type: string}
    Problem400:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:bad-request}
            status: {const: 400}
    Problem401:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:unauthorized}
            status: {const: 401}
    Problem403:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:forbidden}
            status: {const: 403}
    Problem404:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:not-found}
            status: {const: 404}
    Problem409:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:conflict}
            status: {const: 409}
    Problem410:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:gone}
            status: {const: 410}
    Problem413:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:too-large}
            status: {const: 413}
    Problem422:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:invalid-agent}
            status: {const: 422}
    InvalidAgentProblem:
      allOf:
        - $ref: '#/components/schemas/Problem422'
        - required: [diagnostics]
    IncantationProblem:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:invalid-incantation}
            status: {const: 422}
          required: [token_count, suggestions]
    CompactStringProblem:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:invalid-compact-string}
            status: {const: 422}
    Problem429:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:rate-limited}
            status: {const: 429}
    Problem503:
      allOf:
        - $ref: '#/components/schemas/Problem'
        - properties:
            type: {const: urn:rar:problem:unavailable}
            status: {const: 503}
    Diagnostic:
      description: One finding of the validator or the registry build.
      type: object
      required: [rule, severity, message]
      properties:
        rule: {type: string, description: 'Stable rule id, e.g. `M1`.', examples: [M1]}
        name: {type: string, description: Rule name.}
        severity: {type: string, enum: [error, warning, note]}
        file: {type: string}
        line: {type: integer, minimum: 0, description: 1-based; 0 means the whole file.}
        column: {type: integer, minimum: 0}
        message: {type: string}
        hint: {type: [string, 'null']}

    # ------------------------------------------------------------ agents
    Agent:
      type: object
      required: [name, publisher, slug, display_name, description, tier, deprecated, created_at, owners, latest,
                 sha256, seed, incantation, install, installs, page_url, manifest, card, versions]
      properties:
        name: {$ref: '#/components/schemas/AgentName'}
        publisher: {type: string, pattern: '^@[A-Za-z0-9_-]{1,64}$'}
        slug: {type: string}
        display_name: {type: [string, 'null'], description: From the latest version; null without one.}
        description: {type: [string, 'null']}
        tier: {$ref: '#/components/schemas/Tier'}
        deprecated: {type: [string, 'null'], description: The deprecation message.}
        created_at: {$ref: '#/components/schemas/Timestamp'}
        owners:
          type: array
          items: {$ref: '#/components/schemas/Owner'}
        latest: {type: [string, 'null'], description: The newest live, unyanked version.}
        sha256: {type: [string, 'null'], pattern: '^[0-9a-f]{64}$'}
        seed: {type: [string, 'null'], pattern: '^[0-9]+$'}
        incantation: {type: [string, 'null']}
        install: {type: [string, 'null'], description: 'The `rar install` command for the latest version.'}
        installs: {type: integer, minimum: 0, description: Downloads of every version.}
        page_url: {type: string}
        manifest:
          description: The latest version's registry.json entry.
          oneOf:
            - $ref: '#/components/schemas/RegistryEntry'
            - type: 'null'
        card:
          oneOf:
            - $ref: '#/components/schemas/Card'
            - type: 'null'
        versions:
          description: Newest first.
          type: array
          items: {$ref: '#/components/schemas/Version'}
    Version:
      type: object
      required: [version, sha256, raw_sha256, size, published_at, published_by, yanked, yank_reason, deleted, deleted_at,
                 installs, contract_test, source_url]
      properties:
        version: {type: string}
        sha256: {$ref: '#/components/schemas/SHA256'}
        raw_sha256: {$ref: '#/components/schemas/SHA256'}
        size: {type: integer, minimum: 0, description: Bytes.}
        published_at: {$ref: '#/components/schemas/Timestamp'}
        published_by: {type: string}
        yanked: {type: boolean}
        yank_reason: {type: [string, 'null']}
        deleted: {type: boolean}
        deleted_at:
          oneOf:
            - $ref: '#/components/schemas/Timestamp'
            - type: 'null'
        installs: {type: integer, minimum: 0}
        contract_test:
          description: Result of `rar test` when the server runs contract tests; null until then.
          type: [object, 'null']
        source_url:
          description: Null for a deleted version.
          type: [string, 'null']
    PublishResult:
      type: object
      required: [name, version, sha256, raw_sha256, tier, seed, incantation, url, api_url, source_url, install, warnings]
      properties:
        name: {$ref: '#/components/schemas/AgentName'}
        version: {type: string}
        sha256: {$ref: '#/components/schemas/SHA256'}
        raw_sha256: {$ref: '#/components/schemas/SHA256'}
        tier: {$ref: '#/components/schemas/Tier'}
        seed: {type: [string, 'null'], pattern: '^[0-9]+$'}
        incantation: {type: [string, 'null']}
        url: {type: string, description: Catalog page.}
        api_url: {type: string}
        source_url: {type: string}
        install: {type: string}
        warnings:
          type: array
          items: {$ref: '#/components/schemas/Diagnostic'}
    RegistryEntry:
      description: One agent of registry.json (`rapp-agent/1.0` manifest plus `_` members the build adds).
      type: object
      required: [name, version]
      properties:
        schema: {type: string}
        name: {type: string}
        version: {type: string}
        display_name: {type: string}
        description: {type: string}
        author: {type: string}
        tags: {type: array, items: {type: string}}
        category: {type: string}
        quality_tier: {type: string}
        requires_env: {type: array}
        dependencies: {type: array}
        _file: {type: string}
        _install_filename: {type: string}
        _sha256: {type: string}
        _seed: {type: integer, minimum: 0}
        _size_kb: {type: number}
        _lines: {type: integer}
        _has_card: {type: boolean}
    Card:
      description: The collectible card a seed describes (plus the agent's own fields for a registry agent).
      type: object
      required: [seed, display_name, tier, rarity, rarity_label, types, type_colors, hp, stats, abilities, weakness,
                 weakness_label, resistance, resistance_label, retreat_cost, evolution, category, type_line, flavor,
                 floor_pts, name_seed, _resolved_from]
      properties:
        seed: {type: string, pattern: '^[0-9]+$'}
        display_name: {type: string}
        tier: {type: string}
        rarity: {type: string}
        rarity_label: {type: string}
        types: {type: array, items: {type: string}}
        type_colors: {type: array, items: {type: string}}
        hp: {type: integer}
        stats:
          type: object
          required: [hp, atk, def, spd, int]
          properties:
            hp: {type: integer}
            atk: {type: integer}
            def: {type: integer}
            spd: {type: integer}
            int: {type: integer}
        abilities:
          type: array
          items:
            type: object
            required: [name, text, cost, damage]
            properties:
              name: {type: string}
              text: {type: string}
              cost: {type: integer}
              damage: {type: integer}
        weakness: {type: string}
        weakness_label: {type: string}
        resistance: {type: string}
        resistance_label: {type: string}
        retreat_cost: {type: integer}
        evolution:
          type: object
          required: [stage, label, icon]
          properties:
            stage: {type: integer}
            label: {type: string}
            icon: {type: string}
        category: {type: string}
        type_line: {type: string}
        flavor: {type: string}
        floor_pts: {type: integer}
        name_seed: {type: integer, minimum: 0}
        _resolved_from: {type: string, enum: [seed, registry, manifest]}
        name: {type: string}
        version: {type: string}
        description: {type: string}
        author: {type: string}
        power: {type: integer}
        toughness: {type: integer}

    # ------------------------------------------------------------ lifecycle
    YankRequest:
      type: object
      additionalProperties: false
      required: [reason]
      properties:
        reason:
          description: Why (shown to installers); 1–500 characters, not blank.
          type: string
          minLength: 1
          maxLength: 500
          pattern: '^[^\x00-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x1F\x7F-\x9F]*$'
          example: leaks the API key in debug output
    YankResult:
      type: object
      required: [name, version, yanked, yank_reason]
      properties:
        name: {$ref: '#/components/schemas/AgentName'}
        version: {type: string}
        yanked: {const: true}
        yank_reason: {type: string}
    UnyankResult:
      type: object
      required: [name, version, yanked]
      properties:
        name: {$ref: '#/components/schemas/AgentName'}
        version: {type: string}
        yanked: {const: false}
    DeprecateRequest:
      type: object
      additionalProperties: false
      properties:
        message:
          description: Deprecation message (at most 500 characters after trimming); empty removes the deprecation.
          type: string
          maxLength: 500
          pattern: '^[^\x00-\x1F\x7F-\x9F]*$'
          example: use @acme/release_notes_v2
    DeprecateResult:
      type: object
      required: [name, deprecated]
      properties:
        name: {$ref: '#/components/schemas/AgentName'}
        deprecated: {type: [string, 'null']}
    DeleteResult:
      type: object
      required: [name, version, deleted, note]
      properties:
        name: {$ref: '#/components/schemas/AgentName'}
        version: {type: string}
        deleted: {const: true}
        note: {type: string}
    TierRequest:
      type: object
      additionalProperties: false
      required: [tier]
      properties:
        tier: {$ref: '#/components/schemas/Tier'}
    TierResult:
      type: object
      required: [name, tier]
      properties:
        name: {$ref: '#/components/schemas/AgentName'}
        tier: {$ref: '#/components/schemas/Tier'}

    # ------------------------------------------------------------ discovery
    SearchResult:
      type: object
      required: [query, total, page, per_page, results, facets]
      properties:
        query: {type: string}
        total: {type: integer, minimum: 0, description: Matches over all pages.}
        page: {type: integer, minimum: 1}
        per_page: {type: integer, minimum: 1, maximum: 100}
        results:
          type: array
          items: {$ref: '#/components/schemas/SearchHit'}
        facets:
          description: Facet → value → number of matches.
          type: object
          required: [category, tier, publisher, type]
          properties:
            category: {$ref: '#/components/schemas/FacetCounts'}
            tier: {$ref: '#/components/schemas/FacetCounts'}
            publisher: {$ref: '#/components/schemas/FacetCounts'}
            type: {$ref: '#/components/schemas/FacetCounts'}
    FacetCounts:
      type: object
      additionalProperties: {type: integer, minimum: 1}
    SearchHit:
      type: object
      required: [name, display_name, description, version, tier, category, type, deprecated, installs, score, url]
      properties:
        name: {$ref: '#/components/schemas/AgentName'}
        display_name: {type: string}
        description: {type: string}
        version: {type: [string, 'null'], description: The latest version.}
        tier: {type: string}
        category: {type: string}
        type: {type: string}
        deprecated: {type: [string, 'null']}
        installs: {type: integer, minimum: 0}
        score: {type: number, description: 'Relevance (higher is better); 0 without `q`.'}
        url: {type: string, description: The agent's API URL.}
    ResolveResult:
      oneOf:
        - $ref: '#/components/schemas/ResolvedAgent'
        - $ref: '#/components/schemas/ResolvedPreview'
      discriminator:
        propertyName: match
        mapping:
          agent: '#/components/schemas/ResolvedAgent'
          preview: '#/components/schemas/ResolvedPreview'
    ResolvedAgent:
      type: object
      required: [match, name, version, seed, incantation, via_alias, url, card]
      properties:
        match: {const: agent}
        name: {$ref: '#/components/schemas/AgentName'}
        version: {type: [string, 'null']}
        seed: {type: string, pattern: '^[0-9]+$', description: The seed asked for.}
        incantation: {type: [string, 'null'], description: 'The seed''s incantation (null past 66 bits).'}
        via_alias: {type: boolean, description: The seed is an old seed of the agent.}
        url: {type: string}
        card: {$ref: '#/components/schemas/Card'}
    ResolvedPreview:
      type: object
      required: [match, seed, incantation, card]
      properties:
        match: {const: preview}
        seed: {type: string, pattern: '^[0-9]+$'}
        incantation: {type: [string, 'null']}
        card: {$ref: '#/components/schemas/Card'}
    Keyring:
      type: object
      required: [schema, keys]
      properties:
        schema: {const: rar-egg-keyring/1}
        keys:
          type: array
          items:
            type: object
            required: [kid, alg, spki_der_b64]
            properties:
              kid: {type: string}
              alg: {type: string, examples: [EdDSA]}
              spki_der_b64: {type: string, contentEncoding: base64}
    NamespaceDetail:
      type: object
      required: [name, owner, created_at, agents]
      properties:
        name: {type: string}
        owner: {$ref: '#/components/schemas/Owner'}
        created_at: {$ref: '#/components/schemas/Timestamp'}
        agents:
          description: Agents with a live version (at most 100).
          type: array
          items: {$ref: '#/components/schemas/AgentName'}

    # ------------------------------------------------------------ eggs
    ForgeRequest:
      type: object
      additionalProperties: false
      required: [agents]
      properties:
        agents:
          type: array
          minItems: 1
          maxItems: 256
          items: {$ref: '#/components/schemas/AgentName'}
          example: ['@acme/release_notes']
    ForgeResult:
      type: object
      required: [compact, agents, hatch]
      properties:
        compact: {$ref: '#/components/schemas/CompactString'}
        agents:
          type: array
          items: {$ref: '#/components/schemas/EggAgent'}
        hatch: {type: string, description: 'The `rar egg hatch` command.'}
    ExpandResult:
      type: object
      required: [compact, agents]
      properties:
        compact: {type: string}
        agents:
          type: array
          items:
            oneOf:
              - $ref: '#/components/schemas/EggAgent'
              - $ref: '#/components/schemas/EggPreview'
    EggAgent:
      description: A registry agent named by a seed.
      type: object
      required: [name, version, seed, sha256, install_filename, source_url]
      properties:
        name: {$ref: '#/components/schemas/AgentName'}
        version: {type: string}
        seed: {type: string}
        sha256: {type: [string, 'null']}
        install_filename: {type: [string, 'null']}
        source_url: {type: string}
    EggPreview:
      description: A seed no registry agent has.
      type: object
      required: [seed, preview]
      properties:
        seed: {type: string, pattern: '^[0-9]+$'}
        preview: {$ref: '#/components/schemas/Card'}
    DownloadRequest:
      type: object
      additionalProperties: false
      anyOf:
        - required: [agents]
        - required: [compact]
      properties:
        agents:
          type: array
          minItems: 1
          maxItems: 256
          items: {$ref: '#/components/schemas/AgentName'}
          example: ['@acme/release_notes']
        compact: {$ref: '#/components/schemas/CompactString'}
        kind:
          description: |
            `organism`: any number of agents (`soul.md` and `agents/*.py`). `rapplication`:
            exactly one agent, as `agent.py` (400 otherwise).
          type: string
          enum: [organism, rapplication]
          default: organism
      if:
        required: [kind, agents]
        properties:
          kind: {const: rapplication}
      then:
        properties:
          agents: {maxItems: 1}

    # ------------------------------------------------------------ accounts
    WhoAmI:
      type: object
      required: [user, admin, scopes, token, expires_at, teams, namespaces]
      properties:
        user: {type: string}
        admin: {type: boolean, description: An admin user with an admin token.}
        scopes:
          type: array
          items: {$ref: '#/components/schemas/Scope'}
        token: {type: string, description: The token's public id.}
        expires_at:
          oneOf:
            - $ref: '#/components/schemas/Timestamp'
            - type: 'null'
        teams: {type: array, items: {type: string}}
        namespaces: {type: array, items: {type: string}, description: Owned directly or through a team.}
    Token:
      type: object
      required: [id, user, scopes, label, created_at, expires_at, revoked_at, last_used_at]
      properties:
        id: {type: string, pattern: '^tok_[a-z2-7]+$'}
        user: {type: string}
        scopes:
          type: array
          items: {$ref: '#/components/schemas/Scope'}
        label: {type: string}
        created_at: {$ref: '#/components/schemas/Timestamp'}
        expires_at:
          oneOf:
            - $ref: '#/components/schemas/Timestamp'
            - type: 'null'
        revoked_at:
          oneOf:
            - $ref: '#/components/schemas/Timestamp'
            - type: 'null'
        last_used_at:
          oneOf:
            - $ref: '#/components/schemas/Timestamp'
            - type: 'null'
    NewToken:
      allOf:
        - $ref: '#/components/schemas/Token'
        - type: object
          required: [token, note]
          properties:
            token: {type: string, pattern: '^rar_[a-z2-7]{32}$', description: The secret; shown only here.}
            note: {type: string}
    TokenList:
      type: object
      required: [tokens]
      properties:
        tokens:
          type: array
          items: {$ref: '#/components/schemas/Token'}
    TokenRequest:
      type: object
      additionalProperties: false
      properties:
        user:
          description: Whose token (default the caller; others need an admin token).
          allOf: [{$ref: '#/components/schemas/AccountName'}]
        scopes:
          description: |
            Default: the calling token's own scopes for a token of your own; `read`, `publish`
            and `yank` for another user's. `read` is always added.
          type: array
          items: {$ref: '#/components/schemas/Scope'}
        expires_in_days:
          type: integer
          minimum: 1
          maximum: 366
          default: 90
        label:
          type: string
          maxLength: 100
          pattern: '^[^\x00-\x1F\x7F-\x9F]*$'
          default: ''
    RevokeResult:
      type: object
      required: [id, revoked]
      properties:
        id: {type: string}
        revoked: {const: true}

    # ------------------------------------------------------------ admin
    User:
      type: object
      required: [name, admin, created_at]
      properties:
        name: {$ref: '#/components/schemas/AccountName'}
        admin: {type: boolean}
        created_at: {$ref: '#/components/schemas/Timestamp'}
    UserList:
      type: object
      required: [users]
      properties:
        users:
          type: array
          items: {$ref: '#/components/schemas/User'}
    UserRequest:
      type: object
      additionalProperties: false
      required: [name]
      properties:
        name: {$ref: '#/components/schemas/AccountName'}
        admin: {type: boolean, default: false}
    Team:
      type: object
      required: [name, members]
      properties:
        name: {$ref: '#/components/schemas/AccountName'}
        members: {type: array, items: {type: string}}
    TeamRequest:
      type: object
      additionalProperties: false
      required: [name]
      properties:
        name: {$ref: '#/components/schemas/AccountName'}
        members:
          type: array
          items: {$ref: '#/components/schemas/AccountName'}
    TeamMemberRequest:
      type: object
      additionalProperties: false
      required: [user]
      properties:
        user: {$ref: '#/components/schemas/AccountName'}
    TeamMember:
      type: object
      required: [team, user]
      properties:
        team: {type: string}
        user: {type: string}
    NamespaceRequest:
      type: object
      additionalProperties: false
      required: [name]
      properties:
        name: {$ref: '#/components/schemas/PublisherSegment'}
        owner: {$ref: '#/components/schemas/Owner'}
    TransferRequest:
      type: object
      additionalProperties: false
      required: [owner]
      properties:
        owner: {$ref: '#/components/schemas/Owner'}
    Namespace:
      type: object
      required: [name, owner]
      properties:
        name: {type: string, pattern: '^@[A-Za-z0-9_-]{1,64}$'}
        owner: {$ref: '#/components/schemas/Owner'}
    AuditPage:
      type: object
      required: [events, next]
      properties:
        events:
          type: array
          items: {$ref: '#/components/schemas/AuditEvent'}
        next:
          description: The last event's id (pass as `after`); null on an empty page.
          type: [integer, 'null']
    AuditEvent:
      type: object
      required: [id, at, actor, action, target, detail]
      properties:
        id: {type: integer, minimum: 1}
        at: {$ref: '#/components/schemas/Timestamp'}
        actor: {type: string}
        action: {type: string, examples: [version.publish]}
        target: {type: string}
        detail: {type: object}

    # ------------------------------------------------------------ static build output
    Registry:
      type: object
      required: [schema, version, generated_at, stats, agents]
      properties:
        schema: {const: rapp-registry/1.1}
        version: {type: string}
        generated_at: {type: string}
        stats:
          type: object
          required: [total_agents, publishers, categories]
          properties:
            total_agents: {type: integer, minimum: 0}
            publishers: {type: integer, minimum: 0}
            categories: {type: integer, minimum: 0}
            publisher_list: {type: array, items: {type: string}}
            category_list: {type: array, items: {type: string}}
        agents:
          type: array
          items: {$ref: '#/components/schemas/RegistryEntry'}
        swarms: {type: array}
        duplicates: {type: array}
        lifecycle: {type: object}
    StaticManifest:
      type: object
      required: [schema, name, base_url, generated, registry_schema, endpoints]
      properties:
        schema: {const: rapp-static-api/1.0}
        name: {type: string}
        title: {type: string}
        description: {type: string}
        base_url: {type: string}
        generated: {$ref: '#/components/schemas/Timestamp'}
        auth: {type: string}
        registry_schema: {type: string}
        endpoints:
          type: object
          additionalProperties:
            type: object
            required: [url, description]
            properties:
              url: {type: string}
              description: {type: string}
              example: {type: string}
        recipes:
          type: object
          additionalProperties: {type: array, items: {type: string}}
    Catalog:
      type: object
      required: [schema, generated, count, agents]
      properties:
        schema: {const: rar-catalog/1.0}
        description: {type: string}
        generated: {$ref: '#/components/schemas/Timestamp'}
        count: {type: integer, minimum: 0}
        self_url: {type: string}
        agents:
          type: array
          items:
            type: object
            required: [id, name, version, publisher, seed, incantation, source, url]
            properties:
              id: {type: string}
              name: {type: string}
              display_name: {type: [string, 'null']}
              description: {type: [string, 'null']}
              version: {type: [string, 'null']}
              publisher: {type: string}
              author: {type: [string, 'null']}
              category: {type: [string, 'null']}
              tags: {type: array}
              quality_tier: {type: string}
              type: {type: string}
              seed: {type: [string, 'null']}
              incantation: {type: [string, 'null']}
              source:
                type: object
                required: [path, url, sha256]
                properties:
                  path: {type: string}
                  url: {type: string}
                  sha256: {type: string}
              install_filename: {type: [string, 'null']}
              url: {type: [string, 'null'], description: The agent's static document.}
    Taxonomy:
      type: object
      required: [schema, generated, categories, publishers, quality_tiers, tags]
      properties:
        schema: {const: rar-taxonomy/1.0}
        generated: {$ref: '#/components/schemas/Timestamp'}
        categories: {$ref: '#/components/schemas/NameCounts'}
        publishers: {$ref: '#/components/schemas/NameCounts'}
        quality_tiers: {$ref: '#/components/schemas/NameCounts'}
        tags: {$ref: '#/components/schemas/NameCounts'}
    NameCounts:
      type: array
      items:
        type: object
        required: [name, count]
        properties:
          name: {type: string}
          count: {type: integer, minimum: 1}
    Status:
      type: object
      required: [schema, generated, summary, endpoints]
      properties:
        schema: {const: rar-static-api-status/1.0}
        generated: {$ref: '#/components/schemas/Timestamp'}
        summary:
          type: object
          additionalProperties: {type: integer, minimum: 0}
        hash_algorithm: {type: string}
        endpoints:
          type: array
          items:
            type: object
            required: [name, url, count, hash]
            properties:
              name: {type: string}
              url: {type: string}
              count: {type: integer, minimum: 0}
              hash: {type: string, pattern: '^[0-9a-f]{16}$'}
    Badge:
      type: object
      required: [schemaVersion, label, message, color]
      properties:
        schemaVersion: {const: 1}
        label: {type: string}
        message: {type: string}
        color: {type: string}
    StaticAgentDocument:
      type: object
      required: [schema, name, publisher, version, versions, sha256, seed, incantation, install, card, registry_entry]
      properties:
        schema: {const: rar-agent/1.0}
        name: {$ref: '#/components/schemas/AgentName'}
        display_name: {type: [string, 'null']}
        description: {type: [string, 'null']}
        type: {type: string}
        publisher: {type: string}
        author: {type: [string, 'null']}
        category: {type: [string, 'null']}
        tags: {type: array}
        quality_tier: {type: string}
        version: {type: [string, 'null']}
        versions:
          type: array
          items:
            type: object
            required: [version, sha256, file]
            properties:
              version: {type: [string, 'null']}
              sha256: {type: [string, 'null']}
              file: {type: string}
              added_at: {type: [string, 'null']}
              commit: {type: [string, 'null']}
        sha256: {type: [string, 'null']}
        sha256_algorithm: {const: sha256-lf-v1}
        seed: {type: [string, 'null']}
        _seed: {type: [integer, 'null']}
        _seed_aliases: {type: array, items: {type: integer}}
        incantation: {type: [string, 'null']}
        install:
          type: object
          required: [filename, path, url]
          properties:
            filename: {type: [string, 'null']}
            path: {type: string}
            url: {type: string}
        card: {type: [object, 'null']}
        card_svg: {type: [string, 'null']}
        registry_entry: {$ref: '#/components/schemas/RegistryEntry'}
    SeedDocument:
      type: object
      required: [schema, seed, seed_int, incantation, name, version, current, current_seed, agent_url, install_url, card]
      properties:
        schema: {const: rar-seed/1.0}
        seed: {type: string, pattern: '^[0-9]+$'}
        seed_int: {type: integer, minimum: 0}
        incantation: {type: [string, 'null']}
        name: {$ref: '#/components/schemas/AgentName'}
        version: {type: [string, 'null']}
        current: {type: boolean, description: False when the seed is an old alias.}
        current_seed: {type: [string, 'null']}
        current_incantation: {type: [string, 'null']}
        _seed_aliases: {type: array, items: {type: integer}}
        agent_url: {type: [string, 'null']}
        install_url: {type: string}
        card: {type: [object, 'null']}

"""#
}
