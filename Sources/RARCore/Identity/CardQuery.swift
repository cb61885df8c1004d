// Classifies the argument of `rar card resolve NAME|SEED|7 WORDS`.

public enum CardQuery: Equatable, Sendable {
    /// A decimal seed; resolve with the caller's full/short-seed choice.
    case seed(CardSeed)
    /// Seven valid words (forgiving parse); always resolve as full DNA.
    case incantation(CardSeed)
    /// Looked like an incantation but did not parse: report, with suggestions. Never guessed.
    case badIncantation(IncantationProblem)
    /// A registry name (exact, code-point comparison).
    case name(String)
    /// Unusable input (e.g. a negative or oversized number).
    case invalid(String)

    /// Rules, in order:
    /// 1. One token of ASCII digits (optional leading "-") → `.seed`; negative or ≥ 2^128 → `.invalid`.
    /// 2. Starts with "@" or contains "/" → `.name` (registry names are "@publisher/slug").
    /// 3. Split with the forgiving separators; if there are ≥ 7 tokens and the first is a list
    ///    word (the reference's test), or 5–9 tokens of which most are list words, it is an
    ///    incantation: exactly 7 valid words → `.incantation`, else `.badIncantation`.
    ///    (The reference silently uses the first 7 of ≥ 7 tokens; we report the count instead.)
    /// 4. Otherwise `.name` with the whole input.
    public static func parse(_ arguments: [String]) -> CardQuery {
        let input = Incantation.split(arguments.joined(separator: " "), isSeparator: Incantation.isPythonWhitespace).joined(separator: " ")
        let digits = input.hasPrefix("-") ? input.dropFirst() : Substring(input)
        if !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            do { return .seed(try CardIdentity.parseSeed(input)) } catch { return .invalid(error.message) }
        }
        if input.hasPrefix("@") || input.contains("/") { return .name(input) }
        let tokens = Incantation.forgivingTokens(input)
        let known = tokens.filter { Incantation.index(of: $0) != nil }.count
        let firstIsWord = tokens.first.map { Incantation.index(of: $0) != nil } ?? false
        if (tokens.count >= Incantation.wordCount && firstIsWord) || ((5...9).contains(tokens.count) && known * 2 > tokens.count) {
            switch Incantation.decodeForgiving(input) {
            case .success(let s): return .incantation(s)
            case .failure(let p): return .badIncantation(p)
            }
        }
        return .name(input)
    }
}

extension CardIdentity {
    /// The seed of a card object (string or number `seed`), or nil (e.g. the not-found error
    /// object, where the reference's `card words` would silently print seed 0's words).
    public static func seed(of card: JSONValue) -> CardSeed? { CardLookup.seedValue(card["seed"]) }
}
