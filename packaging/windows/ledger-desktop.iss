; Inno Setup 6 script: the Windows installer for the frozen folder dist\ledger-desktop.
; Built by `python packaging\build.py` when iscc.exe is on PATH, which passes:
;   /DAppVersion=0.1.0 /DAppNumericVersion=0.1.0.0 /DSourceDir=<dist\ledger-desktop>
;   /DIconDir=<build\packaging\icons> /O<dist>
; or by hand from this folder after a build:  iscc ledger-desktop.iss
#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef AppNumericVersion
  #define AppNumericVersion "0.1.0.0"
#endif
#ifndef SourceDir
  #define SourceDir "..\..\dist\ledger-desktop"
#endif
#ifndef IconDir
  #define IconDir "..\..\build\packaging\icons"
#endif
#define AppName "Ledger Desktop"
#define AppExe "ledger-desktop.exe"
#define LedgerProgId "LedgerDesktop.ledger"
#define IonProgId "LedgerDesktop.ion"

[Setup]
; The AppId identifies the product across versions (upgrades replace, never duplicate).
AppId={{6B7C3E0A-4F2D-4C59-9A61-2E8D5B1F7C34}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Ledger Desktop contributors
VersionInfoVersion={#AppNumericVersion}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user install without admin rights is offered; all-users needs elevation.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputBaseFilename=ledger-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile={#IconDir}\ledger-desktop.ico
UninstallDisplayIcon={app}\{#AppExe}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
ChangesEnvironment=yes

[Tasks]
Name: "assocledger"; Description: "Open .ledger files with {#AppName}"; GroupDescription: "File types:"
Name: "associon"; Description: "Offer {#AppName} in ""Open with"" for .ion files"; GroupDescription: "File types:"
Name: "addtopath"; Description: "Add the ledger command line to PATH"; GroupDescription: "Command line:"
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; ledger-desktop.exe (windowed app), ledger.exe (CLI) and the _internal folder they share.
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
Source: "{#IconDir}\ledger-file.ico"; DestDir: "{app}"; Flags: ignoreversion

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Registry]
; .ledger: our own type; the installer makes it the default handler (task assocledger).
Root: HKA; Subkey: "Software\Classes\.ledger"; ValueType: string; ValueName: ""; ValueData: "{#LedgerProgId}"; Flags: uninsdeletevalue; Tasks: assocledger
Root: HKA; Subkey: "Software\Classes\.ledger"; ValueType: string; ValueName: "Content Type"; ValueData: "application/x-ledger-desktop"; Flags: uninsdeletevalue; Tasks: assocledger
Root: HKA; Subkey: "Software\Classes\.ledger\OpenWithProgids"; ValueType: string; ValueName: "{#LedgerProgId}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: assocledger
Root: HKA; Subkey: "Software\Classes\{#LedgerProgId}"; ValueType: string; ValueName: ""; ValueData: "Ledger Desktop ledger"; Flags: uninsdeletekey; Tasks: assocledger
Root: HKA; Subkey: "Software\Classes\{#LedgerProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\ledger-file.ico"; Tasks: assocledger
Root: HKA; Subkey: "Software\Classes\{#LedgerProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: assocledger
; .ion: a shared format, so only an "Open with" entry; the user's default stays theirs.
Root: HKA; Subkey: "Software\Classes\.ion\OpenWithProgids"; ValueType: string; ValueName: "{#IonProgId}"; ValueData: ""; Flags: uninsdeletevalue; Tasks: associon
Root: HKA; Subkey: "Software\Classes\{#IonProgId}"; ValueType: string; ValueName: ""; ValueData: "Amazon Ion data"; Flags: uninsdeletekey; Tasks: associon
Root: HKA; Subkey: "Software\Classes\{#IonProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\{#AppExe},0"; Tasks: associon
Root: HKA; Subkey: "Software\Classes\{#IonProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\{#AppExe}"" ""%1"""; Tasks: associon
; The application itself, for "Open with" lists.
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".ledger"; ValueData: ""
Root: HKA; Subkey: "Software\Classes\Applications\{#AppExe}\SupportedTypes"; ValueType: string; ValueName: ".ion"; ValueData: ""

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
{ PATH holds {app} while the addtopath task is chosen; uninstalling takes it out again. }
function PathRoot: Integer;
begin
  if IsAdminInstallMode then Result := HKEY_LOCAL_MACHINE else Result := HKEY_CURRENT_USER;
end;

function PathKey: String;
begin
  if IsAdminInstallMode then
    Result := 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment'
  else
    Result := 'Environment';
end;

{ 1-based position of Dir in the ';'-separated Paths (0 when absent), case-insensitively. }
function PathPos(Paths, Dir: String): Integer;
begin
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Paths) + ';');
end;

procedure AddToPath(Dir: String);
var
  Paths: String;
begin
  if not RegQueryStringValue(PathRoot, PathKey, 'Path', Paths) then Paths := '';
  if PathPos(Paths, Dir) > 0 then exit;
  if (Paths <> '') and (Copy(Paths, Length(Paths), 1) <> ';') then Paths := Paths + ';';
  RegWriteExpandStringValue(PathRoot, PathKey, 'Path', Paths + Dir);
end;

procedure RemoveFromPath(Dir: String);
var
  Paths: String;
  P: Integer;
begin
  if not RegQueryStringValue(PathRoot, PathKey, 'Path', Paths) then exit;
  P := PathPos(Paths, Dir);
  if P = 0 then exit;
  { Dir starts at Paths[P]; take it with the ';' before it, or after it when it comes first. }
  if P = 1 then Delete(Paths, 1, Length(Dir) + 1) else Delete(Paths, P - 1, Length(Dir) + 1);
  RegWriteExpandStringValue(PathRoot, PathKey, 'Path', Paths);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if (CurStep = ssPostInstall) and WizardIsTaskSelected('addtopath') then
    AddToPath(ExpandConstant('{app}'));
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RemoveFromPath(ExpandConstant('{app}'));
end;
