import Foundation
import Testing
@testable import RARCore

@Suite struct JSONTests {
    /// The span-recording writer (the patch index's byte ranges) writes the same bytes as the
    /// plain one, and its ranges hold exactly the members and elements.
    @Test func spansMatchThePlainWriter() throws {
        let doc = try JSONParser().parse(#"{"schema": "x", "generated": "2026-01-01T00:00:00Z", "agents": [{"n": "é</", "t": [1, 2.5, null]}, {}, [], "s"], "empty": [], "o": {"k": true}}"#)
        for o in [JSONWriteOptions(indent: 2, ensureASCII: true), JSONWriteOptions(indent: 2), .compact, .python] {
            let (bytes, members, elements) = doc.serializedBytesWithSpans(o, arrayKey: "agents")
            #expect(bytes == doc.serializedBytes(o))
            let items = try #require(doc["agents"]?.arrayValue)
            #expect(elements.count == items.count)
            for (r, item) in zip(elements, items) { #expect(try JSONParser().parse(bytes: Array(bytes[r])) == item) }
            for (k, r) in members { #expect(try JSONParser().parse(bytes: Array(bytes[r])) == doc[k]) }
            #expect(members.count == 5)
        }
    }

    @Test func pythonFloatRepr() {
        let cases: [(Double, String)] = [
            (1.0, "1.0"), (0.625, "0.625"), (1e16, "1e+16"), (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"), (0.00001, "1e-05"), (-1.5, "-1.5"), (1.5e300, "1.5e+300"),
            (123456789.125, "123456789.125"), (0.1, "0.1"), (2.5e-10, "2.5e-10"),
        ]
        for (d, s) in cases { #expect(JSONValue.pythonFloatRepr(d) == s, "\(d)") }
    }

    @Test func roundTripKeepsOrderAndBigInts() throws {
        let text = #"{"b":1,"a":[true,null,"x\u00e9\ud83d\ude00"],"n":123456789012345678901234567890,"f":0.5}"#
        let v = try JSONParser().parse(text)
        #expect(v.serialized(.compact) == #"{"b":1,"a":[true,null,"xé😀"],"n":123456789012345678901234567890,"f":0.5}"#)
        #expect(v.serialized(.python).contains(#""x\u00e9\ud83d\ude00""#))
    }

    @Test func escapesLikePythonJSONDumps() throws {
        let s = JSONValue.string("\u{7F}é😀\u{1}\"\\/ok")
        // json.dumps(s) and json.dumps(s, ensure_ascii=False)
        #expect(s.serialized(.python) == #""\u007f\u00e9\ud83d\ude00\u0001\"\\/ok""#)
        #expect(s.serialized(.compact) == "\"\u{7F}é😀\\u0001\\\"\\\\/ok\"")
        let doc = JSONValue.object([("a", .array([.string("x"), 1])), ("b", .object([]))])
        #expect(doc.serialized(JSONWriteOptions(indent: 2)) == "{\n  \"a\": [\n    \"x\",\n    1\n  ],\n  \"b\": {}\n}")
        #expect(doc.serialized(.python) == #"{"a": ["x", 1], "b": {}}"#)
        // Escaped and unescaped strings read back the same.
        #expect(try JSONParser().parse(Data(s.serialized(.python).utf8)) == s)
        #expect(try JSONParser().parse(Data(#""a\u00e9\ud83d\ude00\ud800z""#.utf8)) == .string("aé😀\u{FFFD}z"))
    }

    @Test func duplicateKeysRejectedWhenAsked() {
        #expect(throws: JSONParseError.self) { try JSONParser(rejectDuplicateKeys: true).parse(#"{"a":1,"a":2}"#) }
        #expect((try? JSONParser().parse(#"{"a":1,"a":2}"#)) != nil)
    }

    @Test func rejectsMalformed() {
        for bad in ["", "{", "[1,]", "01", "\"\\x\"", "{\"a\" 1}", "1 2", "nul"] {
            #expect(throws: JSONParseError.self) { try JSONParser().parse(bad) }
        }
    }
}
