#include "chat/jinja/lexer.h"

#include <cctype>
#include <cstring>

#include "chat/jinja/text.h"
#include "chat/jinja/value.h"
#include "tokenizer/utf8.h"

namespace waypoint::jinja {

namespace {

bool ascii_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// jinja2 reads the source with str.splitlines() and joins with "\n" (the
// default newline_sequence), which also drops one trailing newline
// (keep_trailing_newline=False).
std::string normalize_newlines(const std::string& in) {
    std::string out;
    out.reserve(in.size());
    for (size_t k = 0; k < in.size(); ++k) {
        if (in[k] == '\r') {
            out += '\n';
            if (k + 1 < in.size() && in[k + 1] == '\n') ++k;
        } else {
            out += in[k];
        }
    }
    if (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

// Python's unicode-escape decoding of a string literal's body.
std::string unescape(const std::string& body) {
    std::string out;
    for (size_t k = 0; k < body.size(); ++k) {
        char c = body[k];
        if (c != '\\' || k + 1 == body.size()) { out += c; continue; }
        char e = body[++k];
        auto hex = [&](int n) -> bool {
            unsigned long cp = 0;
            for (int d = 1; d <= n; ++d) {
                if (k + d >= body.size() || !std::isxdigit(static_cast<unsigned char>(body[k + d]))) return false;
                cp = cp * 16 + std::stoul(std::string(1, body[k + d]), nullptr, 16);
            }
            detail::utf8_append(out, char32_t(cp));
            k += n;
            return true;
        };
        switch (e) {
        case '\n': break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case 'x': if (!hex(2)) throw TemplateError("truncated \\xXX escape in a string literal"); break;
        case 'u': if (!hex(4)) throw TemplateError("truncated \\uXXXX escape in a string literal"); break;
        case 'U': if (!hex(8)) throw TemplateError("truncated \\UXXXXXXXX escape in a string literal"); break;
        default:
            if (e >= '0' && e <= '7') {
                unsigned cp = unsigned(e - '0');
                for (int d = 0; d < 2 && k + 1 < body.size() && body[k + 1] >= '0' && body[k + 1] <= '7'; ++d)
                    cp = cp * 8 + unsigned(body[++k] - '0');
                detail::utf8_append(out, char32_t(cp));
            } else {
                out += '\\';
                out += e;
            }
        }
    }
    return out;
}

class Lexer {
public:
    explicit Lexer(const std::string& source) : src_(normalize_newlines(source)) {}

    std::vector<Token> run() {
        bool line_starting = true;
        while (pos_ <= src_.size()) {
            size_t at = next_tag(pos_);
            std::string text = src_.substr(pos_, at - pos_);
            if (at == src_.size()) {
                emit_text(text);
                break;
            }
            char kind = src_[at + 1];  // '{', '%' or '#'
            char sign = at + 2 < src_.size() ? src_[at + 2] : 0;
            if (sign == '-') {
                text = text::strip(text, std::nullopt, false, true);
            } else if (sign != '+' && kind != '{') {
                size_t l = text.rfind('\n');
                size_t l_pos = l == std::string::npos ? 0 : l + 1;
                if (l_pos > 0 || line_starting) {
                    bool blank = true;
                    for (size_t k = l_pos; k < text.size(); ++k)
                        if (!ascii_space(text[k])) { blank = false; break; }
                    if (blank) text.erase(l_pos);
                }
            }
            emit_text(text);
            for (size_t k = pos_; k < at; ++k) line_ += src_[k] == '\n';
            pos_ = at + 2 + ((sign == '-' || sign == '+') ? 1 : 0);
            bool trimmed_newline = false;
            if (kind == '#') {
                size_t end = src_.find("#}", pos_);
                if (end == std::string::npos) throw error("a comment that never ends ({# without #})");
                bool minus = end > pos_ && src_[end - 1] == '-';
                for (size_t k = pos_; k < end; ++k) line_ += src_[k] == '\n';
                pos_ = end + 2;
                trimmed_newline = finish_tag(minus, false, true);
            } else {
                bool block = kind == '%';
                tokens_.push_back({block ? Token::Kind::BlockBegin : Token::Kind::VarBegin, {}, line_});
                bool minus = false, plus = false;
                lex_inside(block ? '%' : '}', minus, plus);
                tokens_.push_back({block ? Token::Kind::BlockEnd : Token::Kind::VarEnd, {}, line_});
                trimmed_newline = finish_tag(minus, plus, block);
            }
            line_starting = trimmed_newline || (pos_ > 0 && src_[pos_ - 1] == '\n');
        }
        tokens_.push_back({Token::Kind::End, {}, line_});
        return std::move(tokens_);
    }

private:
    TemplateError error(const std::string& what) const {
        return TemplateError(what + " (line " + std::to_string(line_) + ")");
    }

    size_t next_tag(size_t from) const {
        size_t k = from;
        while (true) {
            k = src_.find('{', k);
            if (k == std::string::npos || k + 1 >= src_.size()) return src_.size();
            char n = src_[k + 1];
            if (n == '{' || n == '%' || n == '#') return k;
            ++k;
        }
    }

    void emit_text(const std::string& text) {
        if (!text.empty()) tokens_.push_back({Token::Kind::Text, text, line_});
    }

    // After a tag: "-" drops the whitespace that follows; trim_blocks drops
    // one newline after a block or comment. Returns whether a newline went.
    bool finish_tag(bool minus, bool plus, bool block_like) {
        if (minus) {
            size_t k = pos_;
            while (k < src_.size() && ascii_space(src_[k])) ++k;
            for (size_t j = pos_; j < k; ++j) line_ += src_[j] == '\n';
            bool newline = k > pos_ && src_[k - 1] == '\n';
            pos_ = k;
            return newline;
        }
        if (block_like && !plus && pos_ < src_.size() && src_[pos_] == '\n') {
            ++pos_;
            ++line_;
            return true;
        }
        return false;
    }

    // Tokens up to the closing "}}" or "%}" (close = '}' or '%').
    void lex_inside(char close, bool& minus, bool& plus) {
        int depth = 0;  // brackets: "}}" inside {{ {'a': {}} }} closes a dict first
        while (true) {
            while (pos_ < src_.size() && ascii_space(src_[pos_])) {
                line_ += src_[pos_] == '\n';
                ++pos_;
            }
            if (pos_ >= src_.size()) throw error(close == '%' ? "a block tag that never ends ({% without %})"
                                                               : "an expression that never ends ({{ without }})");
            char c = src_[pos_];
            auto closes_at = [&](size_t k) { return k + 1 < src_.size() && src_[k] == close && src_[k + 1] == '}'; };
            if (depth == 0) {  // jinja2 ignores the closing delimiter inside brackets
                if ((c == '-' || c == '+') && closes_at(pos_ + 1)) {
                    (c == '-' ? minus : plus) = true;
                    pos_ += 3;
                    return;
                }
                if (closes_at(pos_)) {
                    pos_ += 2;
                    return;
                }
            }
            if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
                size_t b = pos_;
                while (pos_ < src_.size() && (std::isalnum(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_')) ++pos_;
                tokens_.push_back({Token::Kind::Name, src_.substr(b, pos_ - b), line_});
            } else if (std::isdigit(static_cast<unsigned char>(c))) {
                lex_number();
            } else if (c == '\'' || c == '"') {
                lex_string(c);
            } else {
                static const char* ops[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "/", "*", "%", "~", "[",
                                            "]", "(", ")", "{", "}", "<", ">", "=", ".", ":", "|", ",", ";"};
                const char* found = nullptr;
                for (const char* op : ops)
                    if (src_.compare(pos_, std::strlen(op), op) == 0) { found = op; break; }
                if (!found) throw error(std::string("unexpected character '") + c + "' in a tag");
                if (*found == '(' || *found == '[' || *found == '{') ++depth;
                if (*found == ')' || *found == ']' || *found == '}') --depth;
                tokens_.push_back({Token::Kind::Op, found, line_});
                pos_ += std::strlen(found);
            }
        }
    }

    void lex_number() {
        size_t b = pos_;
        auto digits = [&] { while (pos_ < src_.size() && (std::isdigit(static_cast<unsigned char>(src_[pos_])) || src_[pos_] == '_')) ++pos_; };
        digits();
        bool is_float = false;
        if (pos_ + 1 < src_.size() && src_[pos_] == '.' && std::isdigit(static_cast<unsigned char>(src_[pos_ + 1]))) {
            ++pos_;
            digits();
            is_float = true;
        }
        if (pos_ < src_.size() && (src_[pos_] == 'e' || src_[pos_] == 'E')) {
            size_t k = pos_ + 1;
            if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
            if (k < src_.size() && std::isdigit(static_cast<unsigned char>(src_[k]))) {
                pos_ = k;
                digits();
                is_float = true;
            }
        }
        std::string t;
        for (size_t k = b; k < pos_; ++k) if (src_[k] != '_') t += src_[k];
        tokens_.push_back({is_float ? Token::Kind::Float : Token::Kind::Int, t, line_});
    }

    void lex_string(char quote) {
        int start_line = line_;
        size_t k = pos_ + 1;
        while (k < src_.size() && src_[k] != quote) {
            if (src_[k] == '\\') ++k;
            if (k < src_.size() && src_[k] == '\n') ++line_;
            ++k;
        }
        if (k >= src_.size()) throw error("a string literal that never ends");
        std::string body = src_.substr(pos_ + 1, k - pos_ - 1);
        pos_ = k + 1;
        try {
            tokens_.push_back({Token::Kind::String, unescape(body), start_line});
        } catch (const TemplateError& e) {
            throw error(e.what());
        }
    }

    std::string src_;
    size_t pos_ = 0;
    int line_ = 1;
    std::vector<Token> tokens_;
};

}  // namespace

std::vector<Token> tokenize(const std::string& source) { return Lexer(source).run(); }

}  // namespace waypoint::jinja
