#include "common/csv.h"

#include "common/types.h"

namespace fmc {

bool CsvReader::get(char& c) {
    if (pendingAt_ < pending_.size()) {
        c = pending_[pendingAt_++];
        return true;
    }
    return static_cast<bool>(in_.get(c));
}

int CsvReader::peek() {
    if (pendingAt_ < pending_.size()) return static_cast<unsigned char>(pending_[pendingAt_]);
    return in_.peek();
}

bool CsvReader::next(std::vector<std::string>& fields) {
    if (!started_) {
        started_ = true;
        // A UTF-8 byte-order mark is dropped; anything else read here is content.
        char head[3];
        in_.read(head, 3);
        const std::string start(head, static_cast<std::size_t>(in_.gcount()));
        if (start != "\xEF\xBB\xBF") pending_ = start;
        in_.clear(in_.rdstate() & ~std::ios::failbit & ~std::ios::eofbit);
    }
    fields.clear();
    recordLine_ = line_;
    std::string field;
    bool quoted = false, any = false, afterQuote = false;
    char c;
    while (get(c)) {
        any = true;
        if (quoted) {
            if (c == '"') {
                if (peek() == '"') {
                    field += '"';
                    get(c);
                } else {
                    quoted = false;
                    afterQuote = true;
                }
            } else {
                if (c == '\n') ++line_;
                field += c;
            }
            continue;
        }
        if (c == '"' && field.empty() && !afterQuote) {
            quoted = true;
        } else if (c == ',') {
            fields.push_back(std::move(field));
            field.clear();
            afterQuote = false;
        } else if (c == '\n') {
            ++line_;
            break;
        } else if (c != '\r') {
            field += c;
        }
    }
    if (quoted) throw Error("unterminated quoted field");
    if (!any) return false;
    fields.push_back(std::move(field));
    return true;
}

}  // namespace fmc
