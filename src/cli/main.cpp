#include "cli/commands.h"

int main(int argc, char** argv) { return querylens::cli::run(argc, argv); }
