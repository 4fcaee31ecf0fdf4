// A C++ host: compiles a contract once, reads a data file, evaluates, prints the payments.
//   example CONTRACT DATA.csv [TERM VALUE]...
#include <utfall/utfall.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc < 3 || argc % 2 == 0) {
    std::cerr << "usage: " << argv[0] << " CONTRACT DATA.csv [TERM VALUE]...\n";
    return 64;
  }
  utfall::Engine engine;  // default limits
  auto compiled = engine.compile_file(argv[1]);
  for (const auto& m : compiled.messages) std::cerr << m.rendered << "\n";
  if (!compiled.contract) return 2;

  utfall::Data data;
  data.files.push_back(argv[2]);
  utfall::Options options;
  for (int i = 3; i + 1 < argc; i += 2) options.terms[argv[i]] = argv[i + 1];
  auto result = engine.evaluate(*compiled.contract, data, options);
  for (const auto& m : result.messages) std::cerr << m.rendered << "\n";
  if (!result.ok) return 4;

  for (const auto& p : result.payments)
    std::cout << p.period << " " << p.from << " -> " << p.to << " " << p.amount << " (clause " << p.clause << ")\n";
  for (const auto& t : result.totals) std::cout << "total " << t.from << " -> " << t.to << " " << t.amount << "\n";
  return 0;
}
