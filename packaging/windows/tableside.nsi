; Tableside: per-machine Windows installer (NSIS 3, Unicode). See packaging/README.md.
;
; Build (on Windows, or on Linux with Debian's `nsis` package), after PyInstaller has made
; dist\tableside\ (pos-app.exe, Tableside.exe, _internal\) on Windows:
;
;   makensis /DVERSION=0.1.0 /DICON=..\..\build\tableside.ico packaging\windows\tableside.nsi
;
; Defines (all optional): VERSION (default 0.0.0), PAYLOAD (the PyInstaller folder, default
; ..\..\dist\tableside, relative to this script), ICON (an .ico), OUTFILE (default
; ..\..\dist\tableside-setup-VERSION.exe).
;
; Installer command line:
;   tableside-setup-0.1.0.exe /S                       silent install to Program Files
;   tableside-setup-0.1.0.exe /S /CONFIG=D:\gala.toml  ...and pre-provision that config
;   tableside-setup-0.1.0.exe /S /NODESKTOP            no desktop shortcut
;   tableside-setup-0.1.0.exe /S /D=C:\Apps\Tableside  another folder (/D= must come last)
; A file named tableside-config.toml next to the installer is used when /CONFIG= is not given.
;
; The config goes to C:\ProgramData\tableside\config.toml (platformdirs' site_config_dir,
; writable by administrators only, readable by every user), and the machine-wide
; environment variable POS_APP_CONFIG is set to that file, because Tableside reads
; --config, else POS_APP_CONFIG, else the *user* config dir (%LOCALAPPDATA%\tableside).
; Secrets never go in it: they are stored per Windows user in Credential Manager with
; `pos-app configure` (see README).
;
; Uninstaller: removes the program, shortcuts and the POS_APP_CONFIG variable it set; keeps
; C:\ProgramData\tableside\config.toml unless given /PURGE, and never deletes donation data
; (per user, in %LOCALAPPDATA%\tableside).

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma
RequestExecutionLevel admin

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "WinMessages.nsh"
!include "x64.nsh"

!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef PAYLOAD
  !define PAYLOAD "..\..\dist\tableside"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\tableside-setup-${VERSION}.exe"
!endif

!define APPNAME "Tableside"
!define PUBLISHER "Tableside"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPNAME}"
!define APP_KEY "Software\${APPNAME}"
!define ENV_KEY "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"
!define CONFIG_DIR "$APPDATA\tableside"   ; with SetShellVarContext all: C:\ProgramData\tableside

Name "${APPNAME} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
InstallDirRegKey HKLM "${APP_KEY}" "InstallDir"
BrandingText "${APPNAME} ${VERSION}"

!ifdef ICON
  !define MUI_ICON "${ICON}"
  !define MUI_UNICON "${ICON}"
!endif
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\Tableside.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start Tableside"

!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APPNAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APPNAME} installer"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}"

Var ConfigSource

Section "Tableside (required)" SecApp
  SectionIn RO
  SetShellVarContext all
  SetOutPath "$INSTDIR"
  ; An upgrade replaces the whole program folder: no stale modules from the old version.
  ; (Donation data is per user in %LOCALAPPDATA%\tableside and is not touched; the new
  ; version migrates the database when it starts.)
  RMDir /r "$INSTDIR\_internal"
  File /r "${PAYLOAD}\*.*"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\Tableside.exe" "" "$INSTDIR\Tableside.exe" 0

  ${If} $ConfigSource != ""
    CreateDirectory "${CONFIG_DIR}"
    CopyFiles /SILENT "$ConfigSource" "${CONFIG_DIR}\config.toml"
    ${IfNot} ${FileExists} "${CONFIG_DIR}\config.toml"
      MessageBox MB_ICONSTOP "Could not copy the config to ${CONFIG_DIR}" /SD IDOK
      SetErrorLevel 2
      Abort
    ${EndIf}
    WriteRegExpandStr HKLM "${ENV_KEY}" "POS_APP_CONFIG" "${CONFIG_DIR}\config.toml"
    WriteRegDWORD HKLM "${APP_KEY}" "SetConfigVariable" 1
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
    DetailPrint "Config: ${CONFIG_DIR}\config.toml (POS_APP_CONFIG set for all users)"
  ${EndIf}

  WriteRegStr HKLM "${APP_KEY}" "InstallDir" "$INSTDIR"
  WriteRegStr HKLM "${APP_KEY}" "Version" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINST_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\Tableside.exe"
  WriteRegStr HKLM "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINST_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKLM "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINST_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKLM "${UNINST_KEY}" "EstimatedSize" "$0"
SectionEnd

Section "Desktop shortcut" SecDesktop
  SetShellVarContext all
  CreateShortcut "$DESKTOP\${APPNAME}.lnk" "$INSTDIR\Tableside.exe" "" "$INSTDIR\Tableside.exe" 0
SectionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
  !insertmacro MUI_DESCRIPTION_TEXT ${SecApp} "The Tableside program (pos-app.exe for IT commands, Tableside.exe for the window)."
  !insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "A Tableside shortcut on every user's desktop."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "Tableside needs 64-bit Windows 10 or later." /SD IDOK
    Abort
  ${EndIf}
  SetRegView 64
  SetShellVarContext all

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/CONFIG=" $ConfigSource
  ${If} ${Errors}
    StrCpy $ConfigSource ""
    ${If} ${FileExists} "$EXEDIR\tableside-config.toml"
      StrCpy $ConfigSource "$EXEDIR\tableside-config.toml"
    ${EndIf}
  ${EndIf}
  ${If} $ConfigSource != ""
  ${AndIfNot} ${FileExists} $ConfigSource
    MessageBox MB_ICONSTOP "Config file not found: $ConfigSource" /SD IDOK
    SetErrorLevel 2
    Abort
  ${EndIf}

  ClearErrors
  ${GetOptions} $R0 "/NODESKTOP" $R1
  ${IfNot} ${Errors}
    SectionSetFlags ${SecDesktop} 0   ; untick "Desktop shortcut"
  ${EndIf}
FunctionEnd

Function un.onInit
  SetRegView 64
  SetShellVarContext all
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$DESKTOP\${APPNAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\pos-app.exe"
  Delete "$INSTDIR\Tableside.exe"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"

  ; The POS_APP_CONFIG variable, only if this installer set it.
  ReadRegDWORD $0 HKLM "${APP_KEY}" "SetConfigVariable"
  ${If} $0 == 1
    DeleteRegValue HKLM "${ENV_KEY}" "POS_APP_CONFIG"
    SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=5000
  ${EndIf}

  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/PURGE" $R1
  ${IfNot} ${Errors}
    Delete "${CONFIG_DIR}\config.toml"
    RMDir "${CONFIG_DIR}"
  ${EndIf}

  DeleteRegKey HKLM "${UNINST_KEY}"
  DeleteRegKey HKLM "${APP_KEY}"
SectionEnd
