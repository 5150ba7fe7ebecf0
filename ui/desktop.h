#pragma once
// What the app asks of the desktop: icons of the icon theme, with the bundled ones
// (resources/icons, in the binary) where the theme has none, as under a plain window manager; and
// files opened or shown by other programs, with a message saying so when none can be started.
#include <QIcon>
#include <QString>

class QLabel;
class QWidget;

namespace glimpse::ui {

// The theme's icon `name` (freedesktop naming), else the bundled :/icons/NAME.svg.
QIcon themeIcon(const QString& name);
// Opens the file or folder with the desktop's application for it. When nothing could be started
// (QDesktopServices::openUrl returned false) a message says so and names the path; false then.
bool openWithDesktop(const QString& path, QWidget* parent);
// Shows the file in the file manager, selected (org.freedesktop.FileManager1), else opens its
// folder; a message when neither works.
void showInFileManager(const QString& path, QWidget* parent);
// A label for a secondary line in the palette's dimmed text colour (what the model read or
// said in English beside a translation): selectable, wrapped, hidden until it has text.
QLabel* secondaryLabel(const QString& accessibleName);
// `text` as a tooltip that shows it as written. Qt takes a tooltip whose first line looks like
// HTML for rich text, so a photo named "<b>x.jpg" or a caption with "<img src=…>" would be drawn
// as markup: such a text is escaped; any other is returned as it is. For every tooltip that holds
// a path, a file name, a caption, a model's name or an error about them.
QString plainToolTip(const QString& text);
// Where a file dialog for photos opens: the Pictures folder where it exists, else home (never
// the folder the program was started in).
QString picturesFolder();

}  // namespace glimpse::ui
