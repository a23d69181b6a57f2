#pragma once
// The one CSV reader (RFC 4180) of the simulator's and the importer's labels files: a UTF-8
// byte-order mark before the first record is dropped; a field in double quotes may hold
// commas, doubled quotes ("") and line breaks; CR LF or LF ends a record.
#include <istream>
#include <string>
#include <vector>

namespace fmc {

class CsvReader {
public:
    explicit CsvReader(std::istream& in) : in_(in) {}

    // The next record into `fields`; false at the end of the input. A blank line is a record
    // of one empty field. Throws fmc::Error("unterminated quoted field") for a quote left open.
    bool next(std::vector<std::string>& fields);

    // The 1-based line on which the record last returned by next() began.
    int recordLine() const { return recordLine_; }

private:
    bool get(char& c);
    int peek();

    std::istream& in_;
    std::string pending_;  // bytes read while looking for the byte-order mark
    std::size_t pendingAt_ = 0;
    int line_ = 1;
    int recordLine_ = 0;
    bool started_ = false;
};

}  // namespace fmc
