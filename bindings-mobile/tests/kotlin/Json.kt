// A small JSON reader and writer for the tests: the case files are read with it, and the
// binding's canonical JSON is compared with it value for value (object key order ignored,
// numbers compared by their exact text). No JSON library ships with the Kotlin compiler.

package earlybird.test

/** A JSON number, kept as its exact text so `28.50` and `28.5` stay different. */
data class JsonNumber(val text: String)

object Json {
    fun parse(text: String): Any? {
        val reader = Reader(text)
        val value = reader.value()
        reader.skipSpace()
        require(reader.at == text.length) { "trailing text at ${reader.at}" }
        return value
    }

    fun write(value: Any?): String = StringBuilder().also { write(value, it) }.toString()

    private fun write(value: Any?, out: StringBuilder) {
        when (value) {
            null -> out.append("null")
            is Boolean -> out.append(value)
            is JsonNumber -> out.append(value.text)
            is String -> writeString(value, out)
            is List<*> -> {
                out.append('[')
                value.forEachIndexed { i, v -> if (i > 0) out.append(','); write(v, out) }
                out.append(']')
            }
            is Map<*, *> -> {
                out.append('{')
                value.entries.forEachIndexed { i, (k, v) ->
                    if (i > 0) out.append(',')
                    writeString(k as String, out)
                    out.append(':')
                    write(v, out)
                }
                out.append('}')
            }
            else -> error("not a JSON value: $value")
        }
    }

    private fun writeString(s: String, out: StringBuilder) {
        out.append('"')
        for (c in s) {
            when {
                c == '"' -> out.append("\\\"")
                c == '\\' -> out.append("\\\\")
                c < ' ' -> out.append(String.format("\\u%04x", c.code))
                else -> out.append(c)
            }
        }
        out.append('"')
    }

    private class Reader(val text: String) {
        var at = 0

        fun skipSpace() {
            while (at < text.length && text[at].isWhitespace()) at++
        }

        fun value(): Any? {
            skipSpace()
            require(at < text.length) { "unexpected end of JSON" }
            return when (val c = text[at]) {
                '{' -> obj()
                '[' -> list()
                '"' -> string()
                't' -> literal("true", true)
                'f' -> literal("false", false)
                'n' -> literal("null", null)
                else -> if (c == '-' || c.isDigit()) number() else error("unexpected '$c' at $at")
            }
        }

        private fun literal(word: String, value: Any?): Any? {
            require(text.startsWith(word, at)) { "bad literal at $at" }
            at += word.length
            return value
        }

        private fun number(): JsonNumber {
            val start = at
            while (at < text.length && (text[at].isDigit() || text[at] in "+-.eE")) at++
            return JsonNumber(text.substring(start, at))
        }

        private fun string(): String {
            val out = StringBuilder()
            at++
            while (true) {
                require(at < text.length) { "unterminated string" }
                val c = text[at++]
                when (c) {
                    '"' -> return out.toString()
                    '\\' -> {
                        val e = text[at++]
                        when (e) {
                            'n' -> out.append('\n')
                            't' -> out.append('\t')
                            'r' -> out.append('\r')
                            'b' -> out.append('\b')
                            'f' -> out.append('\u000c')
                            'u' -> {
                                out.append(text.substring(at, at + 4).toInt(16).toChar())
                                at += 4
                            }
                            else -> out.append(e)
                        }
                    }
                    else -> out.append(c)
                }
            }
        }

        private fun list(): List<Any?> {
            val out = mutableListOf<Any?>()
            at++
            skipSpace()
            if (text[at] == ']') { at++; return out }
            while (true) {
                out.add(value())
                skipSpace()
                when (text[at++]) {
                    ',' -> continue
                    ']' -> return out
                    else -> error("expected , or ] at ${at - 1}")
                }
            }
        }

        private fun obj(): Map<String, Any?> {
            val out = LinkedHashMap<String, Any?>()
            at++
            skipSpace()
            if (text[at] == '}') { at++; return out }
            while (true) {
                skipSpace()
                val key = string()
                skipSpace()
                require(text[at++] == ':') { "expected : at ${at - 1}" }
                out[key] = value()
                skipSpace()
                when (text[at++]) {
                    ',' -> continue
                    '}' -> return out
                    else -> error("expected , or } at ${at - 1}")
                }
            }
        }
    }
}
