import ArgumentParser
import Foundation
import RARCore

struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin", abstract: "Registry administration (needs an admin token).",
        subcommands: [Namespace.self, Token.self, Tier.self, User.self, Team.self, Audit.self])

    static func show(_ r: RegistryClient.Reply, json: Bool, _ text: (JSONValue) -> String) {
        let v = r.json ?? .object([])
        print(json ? v.serialized(.pretty) : text(v))
    }

    struct Namespace: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "namespace", abstract: "Create or transfer a namespace.", subcommands: [Create.self, Transfer.self])
        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "create", abstract: "Create @publisher, owned by a user or team:NAME.")
            @Argument var name: String
            @Option(help: "Owner: a user name or team:NAME (default: you).") var owner: String?
            @OptionGroup var remote: RemoteOptions
            func run() throws {
                let c = remote.client()
                try runClient {
                    var body: [(String, JSONValue)] = [("name", .string(name))]
                    if let owner { body.append(("owner", .string(owner))) }
                    let r = try c.call("POST", "/api/v1/admin/namespaces", json: .object(body))
                    show(r, json: remote.json) { "created \($0["name"]?.stringValue ?? "") owned by \($0["owner"]?.stringValue ?? "")" }
                }
            }
        }
        struct Transfer: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "transfer", abstract: "Give @publisher to another user or team:NAME.")
            @Argument var name: String
            @Option(help: "New owner: a user name or team:NAME.") var owner: String
            @OptionGroup var remote: RemoteOptions
            func run() throws {
                let c = remote.client()
                let ns = name.hasPrefix("@") ? name : "@" + name
                try runClient {
                    let r = try c.call("POST", "/api/v1/admin/namespaces/\(ns)/transfer", json: .object([("owner", .string(owner))]))
                    show(r, json: remote.json) { "\($0["name"]?.stringValue ?? "") now belongs to \($0["owner"]?.stringValue ?? "")" }
                }
            }
        }
    }

    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "token", abstract: "Create, list or revoke API tokens.", subcommands: [Create.self, List.self, Revoke.self])
        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a token (shown once).")
            @Option(help: "For this user (admins; default: you).") var user: String?
            @Option(help: "Comma-separated scopes: read, publish, yank, admin.") var scopes = "read,publish,yank"
            @Option(help: "Days until it expires (1–366).") var days = 90
            @Option(help: "A label to recognise it by.") var label = ""
            @OptionGroup var remote: RemoteOptions
            func run() throws {
                let c = remote.client()
                var body: [(String, JSONValue)] = [("scopes", .array(scopes.split(separator: ",").map { .string(String($0).trimmingCharacters(in: .whitespaces)) })),
                                                   ("expires_in_days", .int(days)), ("label", .string(label))]
                if let user { body.append(("user", .string(user))) }
                try runClient {
                    let r = try c.call("POST", "/api/v1/tokens", json: .object(body))
                    show(r, json: remote.json) { v in
                        "token for \(v["user"]?.stringValue ?? "") (\(v["id"]?.stringValue ?? ""), expires \(v["expires_at"]?.stringValue ?? "never")); shown once:\n\(v["token"]?.stringValue ?? "")"
                    }
                }
            }
        }
        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "list", abstract: "List your tokens.")
            @OptionGroup var remote: RemoteOptions
            func run() throws {
                let c = remote.client()
                try runClient {
                    let r = try c.call("GET", "/api/v1/tokens")
                    show(r, json: remote.json) { v in
                        (v["tokens"]?.arrayValue ?? []).map { t in
                            "\(t["id"]?.stringValue ?? "")  \((t["scopes"]?.arrayValue ?? []).compactMap(\.stringValue).joined(separator: ","))  expires \(t["expires_at"]?.stringValue ?? "never")\(t["revoked_at"]?.stringValue.map { "  revoked \($0)" } ?? "")  \(t["label"]?.stringValue ?? "")"
                        }.joined(separator: "\n")
                    }
                }
            }
        }
        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a token by its id (tok_…).")
            @Argument var id: String
            @OptionGroup var remote: RemoteOptions
            func run() throws {
                let c = remote.client()
                try runClient {
                    let r = try c.call("DELETE", "/api/v1/tokens/\(id)")
                    show(r, json: remote.json) { _ in "revoked \(id)" }
                }
            }
        }
    }

    struct Tier: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "tier", abstract: "Set an agent's quality tier.", subcommands: [Set.self])
        struct Set: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "set", abstract: "community → verified → official (also experimental, frontier).")
            @Argument var name: String
            @Argument var tier: String
            @OptionGroup var remote: RemoteOptions
            func run() throws {
                let c = remote.client()
                let (n, _) = try splitPinned(name)
                try runClient {
                    let r = try c.call("PUT", agentPath(n, under: "/api/v1/admin/agents") + "/tier", json: .object([("tier", .string(tier))]))
                    show(r, json: remote.json) { "\($0["name"]?.stringValue ?? "") is now \($0["tier"]?.stringValue ?? "")" }
                }
            }
        }
    }

    struct User: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "user", abstract: "Create a user.", subcommands: [Create.self])
        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "create")
            @Argument var name: String
            @Flag(help: "Make the user an admin.") var admin = false
            @OptionGroup var remote: RemoteOptions
            func run() throws {
                let c = remote.client()
                try runClient {
                    let r = try c.call("POST", "/api/v1/admin/users", json: .object([("name", .string(name)), ("admin", .bool(admin))]))
                    show(r, json: remote.json) { "created user \($0["name"]?.stringValue ?? "")" }
                }
            }
        }
    }

    struct Team: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "team", abstract: "Create a team or add a member.", subcommands: [Create.self, Add.self])
        struct Create: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "create")
            @Argument var name: String
            @Option(help: "Comma-separated user names.") var members = ""
            @OptionGroup var remote: RemoteOptions
            func run() throws {
                let c = remote.client()
                let list = members.split(separator: ",").map { JSONValue.string(String($0)) }
                try runClient {
                    let r = try c.call("POST", "/api/v1/admin/teams", json: .object([("name", .string(name)), ("members", .array(list))]))
                    show(r, json: remote.json) { "created team \($0["name"]?.stringValue ?? "")" }
                }
            }
        }
        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add")
            @Argument var team: String
            @Argument var user: String
            @OptionGroup var remote: RemoteOptions
            func run() throws {
                let c = remote.client()
                try runClient {
                    let r = try c.call("POST", "/api/v1/admin/teams/\(team)/members", json: .object([("user", .string(user))]))
                    show(r, json: remote.json) { _ in "added \(user) to \(team)" }
                }
            }
        }
    }

    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "audit", abstract: "Print the audit log.")
        @Option(help: "Events after this id.") var after = 0
        @Option(help: "At most this many.") var limit = 100
        @OptionGroup var remote: RemoteOptions
        func run() throws {
            let c = remote.client()
            try runClient {
                let r = try c.call("GET", "/api/v1/audit?after=\(after)&limit=\(limit)")
                show(r, json: remote.json) { v in
                    (v["events"]?.arrayValue ?? []).map { e in
                        "\(e["id"]?.intValue ?? 0)  \(e["at"]?.stringValue ?? "")  \(e["actor"]?.stringValue ?? "")  \(e["action"]?.stringValue ?? "")  \(e["target"]?.stringValue ?? "")"
                    }.joined(separator: "\n")
                }
            }
        }
    }
}
