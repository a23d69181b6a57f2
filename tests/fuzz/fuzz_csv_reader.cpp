// The CSV reader (common/csv.h) of the simulator's and the importer's labels files, on
// arbitrary bytes: directly, record by record, and through the labelled-image list reader.
#include "common/csv.h"
#include "common/types.h"
#include "fuzz_support.h"
#include "imaging/dataset.h"

#include <sstream>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
    fmc::CsvReader reader(in);
    std::vector<std::string> fields;
    int previousLine = 0;
    try {
        while (reader.next(fields)) {
            if (fields.empty() || reader.recordLine() <= previousLine) __builtin_trap();  // records move forward
            previousLine = reader.recordLine();
        }
    } catch (const fmc::Error&) {
    }
    const auto path = fmc::fuzz::writeInputFile(data, size, ".csv");
    try {
        fmc::loadCsv(path);
    } catch (const fmc::Error&) {
    }
    return 0;
}
