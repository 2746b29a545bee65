// pxelinux config parsing: seed 1's menu, the captures' menus (captures/record.sh), the grammar's
// corners, and errors that name FILE:LINE.
#include <gtest/gtest.h>

#include "proto/pxelinux/config.h"

namespace pxe::proto::pxelinux {
namespace {

// Seed 1 (/work/shared/seeds/000_*): boot/pxelinux.cfg/default.
constexpr std::string_view kSeed1 = R"(UI         menu.c32
MENU TITLE Network Boot
TIMEOUT    50

LABEL      winpe
MENU LABEL Boot Windows PE from network
KERNEL     /memdisk
INITRD     winpe.iso
APPEND     iso raw

LABEL      localboot
MENU LABEL Boot from local disk
LOCALBOOT  0
)";

// captures/record.sh tftp_tree_bios and tftp_tree_efi.
constexpr std::string_view kCaptureBios = R"(SERIAL 0 115200
UI         menu.c32
MENU TITLE pxekit capture menu
TIMEOUT    600

LABEL      winpe
MENU LABEL Boot Windows PE from network
KERNEL     /memdisk
INITRD     winpe.iso
APPEND     iso raw

LABEL      localboot
MENU LABEL Boot from local disk
LOCALBOOT  0
)";
constexpr std::string_view kCaptureEfi = R"(SERIAL 0 115200
UI         menu.c32
MENU TITLE pxekit capture menu
TIMEOUT    600

LABEL      linux
MENU LABEL Boot a kernel from the network
KERNEL     /vmlinuz
APPEND     initrd=/initrd.img

LABEL      exit
MENU LABEL Return to firmware
LOCALBOOT  -1
)";

TEST(PxelinuxConfig, ParsesSeed1sMenu) {
  auto m = parse_config(kSeed1, "boot/pxelinux.cfg/default");
  ASSERT_TRUE(m) << m.error().what;
  EXPECT_EQ(m->ui, std::optional<std::string>("menu.c32"));
  EXPECT_EQ(m->title, std::optional<std::string>("Network Boot"));
  EXPECT_EQ(m->timeout, std::optional<unsigned>(50));
  ASSERT_EQ(m->labels.size(), 2u);
  const Label& w = m->labels[0];
  EXPECT_EQ(w.name, "winpe");
  EXPECT_EQ(w.menu_label, std::optional<std::string>("Boot Windows PE from network"));
  EXPECT_EQ(w.kernel, "/memdisk");
  EXPECT_EQ(w.kernel_keyword, "kernel");
  EXPECT_EQ(w.initrd, std::vector<std::string>{"winpe.iso"});
  EXPECT_EQ(w.append, std::optional<std::string>("iso raw"));
  EXPECT_EQ(w.line, 5u);
  const Label& l = m->labels[1];
  EXPECT_EQ(l.localboot, std::optional<int>(0));
  EXPECT_TRUE(l.kernel.empty());
  EXPECT_TRUE(m->warnings.empty());
  EXPECT_EQ(ui_modules(*m), (std::vector<std::string>{"menu.c32", "libutil.c32"}));
}

TEST(PxelinuxConfig, Seed1BootsWinpeFromMemdiskAndTheIso) {
  auto m = parse_config(kSeed1, "boot/pxelinux.cfg/default");
  ASSERT_TRUE(m);
  auto chosen = choose(*m);
  ASSERT_TRUE(chosen) << chosen.error().what;
  EXPECT_EQ(chosen->name, "winpe");  // no DEFAULT, no MENU DEFAULT: the first label
  // The boot file was boot/pxelinux.0: relative names go under boot/, /memdisk stays absolute.
  EXPECT_EQ(files_to_fetch(*chosen, "boot/"), (std::vector<std::string>{"/memdisk", "boot/winpe.iso"}));
  EXPECT_EQ(command_line(*m, *chosen), "iso raw");
  auto local = choose(*m, "localboot");
  ASSERT_TRUE(local);
  EXPECT_TRUE(files_to_fetch(*local).empty());
}

TEST(PxelinuxConfig, CapturesMenus) {
  auto bios = parse_config(kCaptureBios);
  ASSERT_TRUE(bios) << bios.error().what;
  EXPECT_EQ(bios->title, std::optional<std::string>("pxekit capture menu"));
  EXPECT_EQ(bios->timeout, std::optional<unsigned>(600));
  EXPECT_TRUE(bios->warnings.empty()) << bios->warnings.front();  // SERIAL is known
  EXPECT_EQ(files_to_fetch(*choose(*bios)), (std::vector<std::string>{"/memdisk", "winpe.iso"}));

  auto efi = parse_config(kCaptureEfi);
  ASSERT_TRUE(efi) << efi.error().what;
  auto linux = choose(*efi);
  ASSERT_TRUE(linux);
  EXPECT_EQ(linux->name, "linux");
  EXPECT_EQ(files_to_fetch(*linux), (std::vector<std::string>{"/vmlinuz", "/initrd.img"}));  // initrd= in APPEND
  EXPECT_EQ(choose(*efi, "exit")->localboot, std::optional<int>(-1));
}

TEST(PxelinuxConfig, KeywordsAreCaseInsensitiveAndCommentsSkipped) {
  auto m = parse_config("# a comment\n  ui vesamenu.c32\r\nmenu title  Lab  \n\tLabel a\n  linux vmlinuz\n"
                        "  initrd one.img,two.img\n  append quiet initrd=three.img\n  Menu Default\n"
                        "label b\n kernel b.0\n");
  ASSERT_TRUE(m) << m.error().what;
  EXPECT_EQ(m->ui, std::optional<std::string>("vesamenu.c32"));
  EXPECT_EQ(m->title, std::optional<std::string>("Lab"));
  ASSERT_EQ(m->labels.size(), 2u);
  EXPECT_EQ(m->labels[0].kernel_keyword, "linux");
  EXPECT_EQ(m->labels[0].initrd, (std::vector<std::string>{"one.img", "two.img", "three.img"}));
  EXPECT_TRUE(m->labels[0].menu_default);
  EXPECT_EQ(ui_modules(*m), (std::vector<std::string>{"vesamenu.c32", "libcom32.c32", "libutil.c32"}));
}

TEST(PxelinuxConfig, ChooseFollowsTheGivenLabelThenMenuDefaultThenDefault) {
  auto m = parse_config("UI menu.c32\nDEFAULT b\nLABEL a\nKERNEL a\nLABEL b\nKERNEL b\nLABEL c\nKERNEL c\nMENU DEFAULT\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(choose(*m)->name, "c");       // the menu's default wins under a UI
  EXPECT_EQ(choose(*m, "a")->name, "a");  // the user's pick wins over both
  EXPECT_EQ(choose(*m, "A")->name, "a");  // case-insensitive when no exact match
  EXPECT_FALSE(choose(*m, "nope"));
  EXPECT_NE(choose(*m, "nope").error().what.find("no LABEL nope"), std::string::npos);

  auto no_ui = parse_config("DEFAULT b\nLABEL a\nKERNEL a\nLABEL b\nKERNEL b\nLABEL c\nKERNEL c\nMENU DEFAULT\n");
  ASSERT_TRUE(no_ui);
  EXPECT_EQ(choose(*no_ui)->name, "b");  // without a menu, MENU DEFAULT means nothing
}

TEST(PxelinuxConfig, DefaultWithAKernelCommandLine) {
  auto m = parse_config("DEFAULT vmlinuz initrd=rd.gz console=ttyS0\n");
  ASSERT_TRUE(m);
  auto l = choose(*m);
  ASSERT_TRUE(l);
  EXPECT_EQ(l->kernel, "vmlinuz");
  EXPECT_EQ(files_to_fetch(*l), (std::vector<std::string>{"vmlinuz", "rd.gz"}));
}

TEST(PxelinuxConfig, OldStyleDefaultMenuC32IsTheUi) {
  auto m = parse_config("DEFAULT menu.c32\nPROMPT 0\nLABEL x\nKERNEL x.0\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(ui_modules(*m), (std::vector<std::string>{"menu.c32", "libutil.c32"}));
  EXPECT_EQ(m->prompt, std::optional<bool>(false));
  EXPECT_EQ(choose(*m)->name, "x");
}

TEST(PxelinuxConfig, GlobalAppendAppliesToLabelsWithoutTheirOwn) {
  auto m = parse_config("APPEND initrd=common.img quiet\nLABEL a\nKERNEL a\nLABEL b\nKERNEL b\nAPPEND -\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(files_to_fetch(m->labels[0]), (std::vector<std::string>{"a", "common.img"}));
  EXPECT_EQ(command_line(*m, m->labels[0]), "initrd=common.img quiet");
  EXPECT_EQ(files_to_fetch(m->labels[1]), std::vector<std::string>{"b"});
  EXPECT_EQ(command_line(*m, m->labels[1]), "");
}

TEST(PxelinuxConfig, IncludesNotSuppliedAreListedToFetch) {
  auto m = parse_config("INCLUDE common.cfg\nMENU INCLUDE pxelinux.cfg/graphics.conf Graphics\nLABEL a\nKERNEL a\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->includes, (std::vector<std::string>{"common.cfg", "pxelinux.cfg/graphics.conf"}));
  EXPECT_EQ(m->missing_includes, m->includes);
}

// INCLUDE reads the file in place: its labels land where the INCLUDE line is, and a KERNEL in it
// belongs to the LABEL above the INCLUDE.
TEST(PxelinuxConfig, SuppliedIncludesAreParsedInPlace) {
  const IncludedFiles files{{"common.cfg", "UI menu.c32\nLABEL shared\nKERNEL shared.0\n"},
                            {"tail.cfg", "KERNEL tail-kernel\nINITRD tail.img\n"},
                            {"empty.cfg", ""}};
  auto m = parse_config("INCLUDE common.cfg\nLABEL own\nINCLUDE tail.cfg\nINCLUDE empty.cfg\nINCLUDE gone.cfg\n",
                        "pxelinux.cfg/default", &files);
  ASSERT_TRUE(m) << m.error().what;
  EXPECT_EQ(m->ui, std::optional<std::string>("menu.c32"));
  ASSERT_EQ(m->labels.size(), 2u);
  EXPECT_EQ(m->labels[0].name, "shared");
  EXPECT_EQ(m->labels[1].name, "own");
  EXPECT_EQ(files_to_fetch(m->labels[1]), (std::vector<std::string>{"tail-kernel", "tail.img"}));
  EXPECT_EQ(m->missing_includes, std::vector<std::string>{"gone.cfg"});
}

TEST(PxelinuxConfig, ErrorsInsideAnIncludeNameThatFile) {
  const IncludedFiles files{{"common.cfg", "# shared\nTIMEOUT later\n"}};
  auto m = parse_config("LABEL a\nINCLUDE common.cfg\n", "pxelinux.cfg/default", &files);
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().what, "common.cfg:2: TIMEOUT needs a number of tenths of a second");
  EXPECT_EQ(m.error().offset, 9u);
}

TEST(PxelinuxConfig, IncludeLoopsAndBlowUpsAreBounded) {
  const IncludedFiles loop{{"self.cfg", "INCLUDE self.cfg\n"}};
  auto a = parse_config("INCLUDE self.cfg\n", "cfg", &loop);
  ASSERT_FALSE(a);
  EXPECT_NE(a.error().what.find("INCLUDE nested deeper than 16"), std::string::npos) << a.error().what;

  // Each file includes the next twice: 2^12 expansions if nothing stopped it.
  IncludedFiles fan;
  for (int i = 0; i < 12; ++i)
    fan["f" + std::to_string(i)] = "INCLUDE f" + std::to_string(i + 1) + "\nINCLUDE f" + std::to_string(i + 1) + "\n";
  fan["f12"] = "LABEL x\nKERNEL x\n";
  auto b = parse_config("INCLUDE f0\n", "cfg", &fan);
  ASSERT_FALSE(b);
  EXPECT_NE(b.error().what.find("more than 64 INCLUDEs"), std::string::npos) << b.error().what;
}

TEST(PxelinuxConfig, UnknownKeywordsAreWarningsWithFileAndLine) {
  auto m = parse_config("UI menu.c32\nFROBNICATE 3\nMENU SPARKLE on\nLABEL a\nKERNEL a\n", "pxelinux.cfg/default");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->warnings.size(), 2u);
  EXPECT_EQ(m->warnings[0], "pxelinux.cfg/default:2: unknown keyword FROBNICATE");
  EXPECT_EQ(m->warnings[1], "pxelinux.cfg/default:3: unknown keyword MENU SPARKLE");
}

TEST(PxelinuxConfig, TextHelpBlockIsSkipped) {
  auto m = parse_config("LABEL a\nKERNEL a\nTEXT HELP\nKERNEL not-this\nFROB\nENDTEXT\nLABEL b\nKERNEL b\n");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->labels.size(), 2u);
  EXPECT_EQ(m->labels[0].kernel, "a");
  EXPECT_TRUE(m->warnings.empty());
}

struct Bad {
  std::string_view text;
  std::string_view error;
};

TEST(PxelinuxConfig, ErrorsNameFileLineAndReason) {
  const Bad cases[] = {
      {"UI menu.c32\nTIMEOUT soon\n", "cfg:2: TIMEOUT needs a number of tenths of a second"},
      {"LABEL\n", "cfg:1: LABEL without a name"},
      {"KERNEL vmlinuz\n", "cfg:1: kernel outside a LABEL"},
      {"\n\nMENU LABEL x\n", "cfg:3: MENU LABEL outside a LABEL"},
      {"MENU DEFAULT\n", "cfg:1: MENU DEFAULT outside a LABEL"},
      {"LABEL a\nLOCALBOOT never\n", "cfg:2: LOCALBOOT needs a number (0, 4, 5 or -1)"},
      {"LABEL a\nKERNEL\n", "cfg:2: kernel without a file name"},
      {"PROMPT yes\n", "cfg:1: PROMPT needs 0 or 1"},
      {"DEFAULT\n", "cfg:1: DEFAULT without a label or kernel"},
      {"INCLUDE\n", "cfg:1: INCLUDE without a file name"},
      {"UI\n", "cfg:1: UI without a module"},
      {std::string_view("LABEL a\nKER\0NEL x\n", 18), "cfg:2: NUL byte in the line"},
  };
  for (const auto& c : cases) {
    auto m = parse_config(c.text, "cfg");
    ASSERT_FALSE(m) << c.text;
    EXPECT_EQ(m.error().what, c.error) << c.text;
  }
}

TEST(PxelinuxConfig, ErrorOffsetIsTheLinesStart) {
  auto m = parse_config("UI menu.c32\nTIMEOUT x\n", "cfg");
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().offset, 12u);
}

TEST(PxelinuxConfig, NothingToBoot) {
  auto m = parse_config("UI menu.c32\nMENU TITLE empty\n");
  ASSERT_TRUE(m);
  EXPECT_FALSE(choose(*m));
}

}  // namespace
}  // namespace pxe::proto::pxelinux
