<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>AlertTray</name>
    <message>
        <source>Tableside — {station}</source>
        <translation>Tableside — {station}</translation>
    </message>
    <message>
        <source>Tableside — {station} needs a look</source>
        <translation>Tableside — {station} necesita atención</translation>
    </message>
</context>
<context>
    <name>CardFields</name>
    <message>
        <source>type or swipe</source>
        <translation>escriba o deslice</translation>
    </message>
    <message>
        <source>optional</source>
        <translation>opcional</translation>
    </message>
    <message>
        <source>Card number</source>
        <translation>Nº de tarjeta</translation>
    </message>
    <message>
        <source>Expiry</source>
        <translation>Vencimiento</translation>
    </message>
    <message>
        <source>CVC</source>
        <translation>CVC</translation>
    </message>
    <message>
        <source>ZIP</source>
        <translation>C.P.</translation>
    </message>
    <message>
        <source>The card number; a swipe fills it in.</source>
        <translation>El número de la tarjeta; al deslizarla se completa solo.</translation>
    </message>
    <message>
        <source>The 3 or 4 digit security code.</source>
        <translation>El código de seguridad de 3 o 4 dígitos.</translation>
    </message>
    <message>
        <source>Optional: the billing ZIP or postal code.</source>
        <translation>Opcional: el código postal de facturación.</translation>
    </message>
    <message>
        <source>The card number.</source>
        <translation>El número de la tarjeta.</translation>
    </message>
</context>
<context>
    <name>CheckInWindow</name>
    <message>
        <source>Tableside — check-in</source>
        <translation>Tableside — registro de entrada</translation>
    </message>
    <message>
        <source>Find a guest: name, email or paddle</source>
        <translation>Buscar un invitado: nombre, correo o paleta</translation>
    </message>
    <message>
        <source>Find a guest</source>
        <translation>Buscar un invitado</translation>
    </message>
    <message>
        <source>Guests found</source>
        <translation>Invitados encontrados</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Correo</translation>
    </message>
    <message>
        <source>Paddle number</source>
        <translation>Número de paleta</translation>
    </message>
    <message>
        <source>Receipts and pay links in</source>
        <translation>Recibos y enlaces de pago en</translation>
    </message>
    <message>
        <source>Receipts &amp;in</source>
        <translation>Rec&amp;ibos en</translation>
    </message>
    <message>
        <source>Paddle</source>
        <translation>Paleta</translation>
    </message>
    <message>
        <source>Card on file (no charge now; optional):</source>
        <translation>Tarjeta guardada (sin cargo ahora; opcional):</translation>
    </message>
    <message>
        <source>Card on file (no charge now; optional): on the reader.</source>
        <translation>Tarjeta guardada (sin cargo ahora; opcional): en el lector.</translation>
    </message>
    <message>
        <source>Check in  (Enter)</source>
        <translation>Registrar entrada  (Intro)</translation>
    </message>
    <message>
        <source>Save card from &amp;reader</source>
        <translation>Guardar tarjeta del &amp;lector</translation>
    </message>
    <message>
        <source>Check in and save the card from the reader</source>
        <translation>Registrar la entrada y guardar la tarjeta del lector</translation>
    </message>
    <message>
        <source>&amp;Cancel  (Esc)</source>
        <translation>&amp;Cancelar  (Esc)</translation>
    </message>
    <message>
        <source>Cancel the card on the reader</source>
        <translation>Cancelar la tarjeta en el lector</translation>
    </message>
    <message>
        <source>Type the guest&apos;s name, or find them above.</source>
        <translation>Escriba el nombre del invitado o búsquelo arriba.</translation>
    </message>
    <message>
        <source>no card on file</source>
        <translation>sin tarjeta guardada</translation>
    </message>
    <message>
        <source>Checking in…</source>
        <translation>Registrando…</translation>
    </message>
    <message>
        <source>Paddle {paddle} · {card} on file</source>
        <translation>Paleta {paddle} · {card} guardada</translation>
    </message>
    <message>
        <source>Paddle {paddle} · {problem}</source>
        <translation>Paleta {paddle} · {problem}</translation>
    </message>
    <message>
        <source>Paddle {paddle} · no card on file</source>
        <translation>Paleta {paddle} · sin tarjeta guardada</translation>
    </message>
    <message>
        <source>{name} · receipts in {language}</source>
        <translation>{name} · recibos en {language}</translation>
    </message>
    <message>
        <source>Check-in didn&apos;t work ({error}).</source>
        <translation>El registro no funcionó ({error}).</translation>
    </message>
    <message>
        <source>Tap, insert or swipe on the reader…</source>
        <translation>Acerque, inserte o deslice la tarjeta en el lector…</translation>
    </message>
    <message>
        <source>next free: {paddle}</source>
        <translation>siguiente libre: {paddle}</translation>
    </message>
</context>
<context>
    <name>CoverFee</name>
    <message>
        <source>the cause</source>
        <translation>la causa</translation>
    </message>
    <message>
        <source>Add {fee} so all of your {gift} goes to {cause}</source>
        <translation>Sumar {fee} para que sus {gift} lleguen completos a {cause}</translation>
    </message>
    <message>
        <source>Cover the fee so all of the gift goes to {cause}</source>
        <translation>Cubrir la comisión para que todo el donativo llegue a {cause}</translation>
    </message>
</context>
<context>
    <name>DeskDashboard</name>
    <message>
        <source>Raised …</source>
        <translation>Recaudado …</translation>
    </message>
    <message>
        <source>Raised {raised} of {goal}</source>
        <translation>Recaudado {raised} de {goal}</translation>
    </message>
    <message>
        <source>Raised {raised}</source>
        <translation>Recaudado {raised}</translation>
    </message>
    <message>
        <source>All tables: {raised} of {goal}</source>
        <translation>Todas las mesas: {raised} de {goal}</translation>
    </message>
    <message>
        <source>All tables: {raised}</source>
        <translation>Todas las mesas: {raised}</translation>
    </message>
    <message>
        <source>This table: {figures}</source>
        <translation>Esta mesa: {figures}</translation>
    </message>
    <message>
        <source>1 gift</source>
        <translation>1 donativo</translation>
    </message>
    <message>
        <source>{n} gifts</source>
        <translation>{n} donativos</translation>
    </message>
    <message>
        <source>average {amount}</source>
        <translation>promedio {amount}</translation>
    </message>
    <message>
        <source>card</source>
        <translation>tarjeta</translation>
    </message>
    <message>
        <source>cash</source>
        <translation>efectivo</translation>
    </message>
    <message>
        <source>check</source>
        <translation>cheque</translation>
    </message>
    <message>
        <source>fees covered {amount}</source>
        <translation>comisiones cubiertas {amount}</translation>
    </message>
    <message>
        <source>goods {amount}</source>
        <translation>bienes {amount}</translation>
    </message>
    <message>
        <source>refunded {amount}</source>
        <translation>reembolsado {amount}</translation>
    </message>
    <message>
        <source>{n} being checked</source>
        <translation>{n} en verificación</translation>
    </message>
</context>
<context>
    <name>DonationForm</name>
    <message>
        <source>or type one, e.g. 75</source>
        <translation>o escriba uno, p. ej. 75</translation>
    </message>
    <message>
        <source>The gift in dollars; F1 to F4 pick a preset.</source>
        <translation>El donativo en dólares; F1 a F4 eligen un monto fijo.</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Monto</translation>
    </message>
    <message>
        <source>&amp;Card</source>
        <translation>Tar&amp;jeta</translation>
    </message>
    <message>
        <source>C&amp;ash</source>
        <translation>&amp;Efectivo</translation>
    </message>
    <message>
        <source>Chec&amp;k</source>
        <translation>C&amp;heque</translation>
    </message>
    <message>
        <source>Payment</source>
        <translation>Pago</translation>
    </message>
    <message>
        <source>Reader</source>
        <translation>Lector</translation>
    </message>
    <message>
        <source>Type the card</source>
        <translation>Teclear</translation>
    </message>
    <message>
        <source>Check number</source>
        <translation>Número de cheque</translation>
    </message>
    <message>
        <source>as the donor wants it on the receipt</source>
        <translation>como el donante lo quiere en el recibo</translation>
    </message>
    <message>
        <source>for the tax receipt (optional)</source>
        <translation>para el recibo fiscal (opcional)</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Correo</translation>
    </message>
    <message>
        <source>Save this card for tonight&apos;s later gifts</source>
        <translation>Guardar la tarjeta para esta noche</translation>
    </message>
    <message>
        <source>Only with the donor&apos;s yes: the card is kept for give-again.</source>
        <translation>Solo si el donante dice que sí: la tarjeta se guarda para volver a donar.</translation>
    </message>
    <message>
        <source>Enter the expiry as MM/YY.</source>
        <translation>Escriba el vencimiento como MM/AA.</translation>
    </message>
    <message>
        <source>Typing or swiping a card here is off: use the reader.</source>
        <translation>Aquí no se puede escribir ni deslizar una tarjeta: use el lector.</translation>
    </message>
    <message>
        <source>the reader</source>
        <translation>el lector</translation>
    </message>
    <message>
        <source>The donor taps, inserts or swipes on {reader} after you press Enter.</source>
        <translation>El donante acerca, inserta o desliza la tarjeta en {reader} después de que usted pulse Intro.</translation>
    </message>
    <message>
        <source>Typing a card number is off (the lead can allow it in Settings).</source>
        <translation>Escribir el número de tarjeta está desactivado (el responsable puede activarlo en Ajustes).</translation>
    </message>
    <message>
        <source>Typing the card on the laptop: the reader is not used for this gift.</source>
        <translation>Se escribe la tarjeta en la computadora: el lector no se usa para este donativo.</translation>
    </message>
    <message>
        <source>No email: no receipt will be sent for this gift.</source>
        <translation>Sin correo, no se enviará recibo.</translation>
    </message>
</context>
<context>
    <name>ErrorLine</name>
    <message>
        <source>(+{n} more)</source>
        <translation>(+{n} más)</translation>
    </message>
</context>
<context>
    <name>EventDesk</name>
    <message>
        <source>Donations</source>
        <translation>Donativos</translation>
    </message>
    <message>
        <source>Search donor, email, last four or reference</source>
        <translation>Buscar donante, correo, últimos cuatro o referencia</translation>
    </message>
    <message>
        <source>Search donations</source>
        <translation>Buscar donativos</translation>
    </message>
    <message>
        <source>Export donations…</source>
        <translation>Exportar donativos…</translation>
    </message>
    <message>
        <source>Export jobs…</source>
        <translation>Exportar tareas…</translation>
    </message>
    <message>
        <source>Save every donation as a CSV file</source>
        <translation>Guardar todos los donativos en un archivo CSV</translation>
    </message>
    <message>
        <source>Save every background job as a CSV file</source>
        <translation>Guardar todas las tareas en un archivo CSV</translation>
    </message>
    <message>
        <source>Reason (required), e.g. charged twice</source>
        <translation>Motivo (obligatorio), p. ej. cobrado dos veces</translation>
    </message>
    <message>
        <source>Reason for the refund</source>
        <translation>Motivo del reembolso</translation>
    </message>
    <message>
        <source>Refund…</source>
        <translation>Reembolsar…</translation>
    </message>
    <message>
        <source>Loading donations…</source>
        <translation>Cargando donativos…</translation>
    </message>
    <message>
        <source>No donation matches “{search}”.</source>
        <translation>Ningún donativo coincide con “{search}”.</translation>
    </message>
    <message>
        <source>No gifts yet tonight — they appear here as volunteers take them.</source>
        <translation>Aún no hay donativos esta noche — aparecen aquí a medida que los voluntarios los toman.</translation>
    </message>
    <message>
        <source>Couldn&apos;t read the donations: {error}</source>
        <translation>No se pudieron leer los donativos: {error}</translation>
    </message>
    <message>
        <source>card</source>
        <translation>tarjeta</translation>
    </message>
    <message>
        <source>cash</source>
        <translation>efectivo</translation>
    </message>
    <message>
        <source>check</source>
        <translation>cheque</translation>
    </message>
    <message>
        <source>Select a donation to refund or void it.</source>
        <translation>Seleccione un donativo para reembolsarlo o anularlo.</translation>
    </message>
    <message>
        <source>anonymous</source>
        <translation>anónimo</translation>
    </message>
    <message>
        <source>{amount} from {who} — {status}</source>
        <translation>{amount} de {who} — {status}</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Reembolsado</translation>
    </message>
    <message>
        <source>Refunding…</source>
        <translation>Reembolsando…</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>Anulado</translation>
    </message>
    <message>
        <source>Nothing to refund</source>
        <translation>Nada que reembolsar</translation>
    </message>
    <message>
        <source>Refund {amount}…</source>
        <translation>Reembolsar {amount}…</translation>
    </message>
    <message>
        <source>Void {amount}…</source>
        <translation>Anular {amount}…</translation>
    </message>
    <message>
        <source>Give a reason: it is kept with the donation and in the export.</source>
        <translation>Indique un motivo: se guarda con el donativo y en la exportación.</translation>
    </message>
    <message>
        <source>Confirm: give back {amount} to {target}</source>
        <translation>Confirmar: devolver {amount} a {target}</translation>
    </message>
    <message>
        <source>Click again to confirm. This can&apos;t be undone.</source>
        <translation>Pulse otra vez para confirmar. No se puede deshacer.</translation>
    </message>
    <message>
        <source>Refunding {amount}…</source>
        <translation>Reembolsando {amount}…</translation>
    </message>
    <message>
        <source>That didn&apos;t work: {error}</source>
        <translation>No funcionó: {error}</translation>
    </message>
    <message>
        <source>Export jobs</source>
        <translation>Exportar tareas</translation>
    </message>
    <message>
        <source>Export donations</source>
        <translation>Exportar donativos</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Archivos CSV (*.csv)</translation>
    </message>
    <message>
        <source>Exporting to {path}…</source>
        <translation>Exportando a {path}…</translation>
    </message>
    <message>
        <source>Exported {n} rows to {path}.</source>
        <translation>Se exportaron {n} filas a {path}.</translation>
    </message>
    <message>
        <source>Not exported. {why}</source>
        <translation>No se exportó. {why}</translation>
    </message>
</context>
<context>
    <name>EventLine</name>
    <message>
        <source>Whole event: waiting for the central store…</source>
        <translation>Todo el evento: esperando al almacén central…</translation>
    </message>
    <message>
        <source>live</source>
        <translation>en vivo</translation>
    </message>
    <message>
        <source>as of {time} (offline)</source>
        <translation>a las {time} (sin conexión)</translation>
    </message>
    <message>
        <source>1 gift</source>
        <translation>1 donativo</translation>
    </message>
    <message>
        <source>{n} gifts</source>
        <translation>{n} donativos</translation>
    </message>
    <message>
        <source>card</source>
        <translation>tarjeta</translation>
    </message>
    <message>
        <source>cash</source>
        <translation>efectivo</translation>
    </message>
    <message>
        <source>check</source>
        <translation>cheque</translation>
    </message>
    <message>
        <source>Every table: {gifts} — {state}</source>
        <translation>Todas las mesas: {gifts} — {state}</translation>
    </message>
    <message>
        <source>not heard from yet</source>
        <translation>aún sin noticias</translation>
    </message>
    <message>
        <source>○ silent since {time}</source>
        <translation>○ en silencio desde las {time}</translation>
    </message>
    <message>
        <source>last heard {time}</source>
        <translation>última noticia a las {time}</translation>
    </message>
    <message>
        <source>{n} not yet shared</source>
        <translation>{n} sin compartir</translation>
    </message>
    <message>
        <source>▲ 1 needs attention</source>
        <translation>▲ 1 requiere atención</translation>
    </message>
    <message>
        <source>▲ {n} need attention</source>
        <translation>▲ {n} necesitan atención</translation>
    </message>
    <message>
        <source>Whole event: {problem}</source>
        <translation>Todo el evento: {problem}</translation>
    </message>
</context>
<context>
    <name>EventScreen</name>
    <message>
        <source>Tableside — event screen</source>
        <translation>Tableside — pantalla del evento</translation>
    </message>
    <message>
        <source>Raised so far</source>
        <translation>Recaudado hasta ahora</translation>
    </message>
    <message>
        <source>Paddle raise</source>
        <translation>Subasta de paletas</translation>
    </message>
    <message>
        <source>Every table, live</source>
        <translation>Todas las mesas, en vivo</translation>
    </message>
    <message>
        <source>Event totals as of {time} (offline)</source>
        <translation>Totales del evento a las {time} (sin conexión)</translation>
    </message>
    <message>
        <source>This table&apos;s gifts</source>
        <translation>Donativos de esta mesa</translation>
    </message>
    <message>
        <source>raised toward {goal}</source>
        <translation>recaudados para la meta de {goal}</translation>
    </message>
    <message>
        <source>raised tonight</source>
        <translation>recaudados esta noche</translation>
    </message>
    <message>
        <source>1 gift</source>
        <translation>1 donativo</translation>
    </message>
    <message>
        <source>{n} gifts</source>
        <translation>{n} donativos</translation>
    </message>
    <message>
        <source>{title}: hands up!</source>
        <translation>{title}: ¡arriba las paletas!</translation>
    </message>
    <message>
        <source>1 hand</source>
        <translation>1 paleta</translation>
    </message>
    <message>
        <source>{n} hands</source>
        <translation>{n} paletas</translation>
    </message>
    <message>
        <source>{title}: {total} pledged by {hands}</source>
        <translation>{title}: {total} prometidos por {hands}</translation>
    </message>
    <message>
        <source>Anonymous</source>
        <translation>Anónimo</translation>
    </message>
    <message>
        <source>Thank you: {names}</source>
        <translation>Gracias: {names}</translation>
    </message>
    <message>
        <source>Couldn&apos;t refresh at {time}</source>
        <translation>No se pudo actualizar a las {time}</translation>
    </message>
</context>
<context>
    <name>FirstForm</name>
    <message>
        <source>Amount</source>
        <translation>Monto</translation>
    </message>
    <message>
        <source>or type one, e.g. 75</source>
        <translation>o escriba uno, p. ej. 75</translation>
    </message>
    <message>
        <source>Opening the station…</source>
        <translation>Abriendo la estación…</translation>
    </message>
</context>
<context>
    <name>GiftsChart</name>
    <message>
        <source>Gifts over time</source>
        <translation>Donativos a lo largo del tiempo</translation>
    </message>
    <message>
        <source>{count} periods, best {best}</source>
        <translation>{count} periodos, el mejor {best}</translation>
    </message>
    <message>
        <source>Dollars raised per 15 minutes</source>
        <translation>Dólares recaudados cada 15 minutos</translation>
    </message>
    <message>
        <source>No gifts yet tonight</source>
        <translation>Aún no hay donativos esta noche</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
</context>
<context>
    <name>GiveAgainPanel</name>
    <message>
        <source>name, email or paddle number</source>
        <translation>nombre, correo o número de paleta</translation>
    </message>
    <message>
        <source>Donors with a card on file</source>
        <translation>Donantes con tarjeta guardada</translation>
    </message>
    <message>
        <source>Close (Esc)</source>
        <translation>Cerrar (Esc)</translation>
    </message>
    <message>
        <source>Type two letters of a name or email, or a paddle number.</source>
        <translation>Escriba dos letras de un nombre o correo, o un número de paleta.</translation>
    </message>
    <message>
        <source>Couldn&apos;t search: {error}</source>
        <translation>No se pudo buscar: {error}</translation>
    </message>
    <message>
        <source>paddle</source>
        <translation>paleta</translation>
    </message>
    <message>
        <source>Enter gives; Up and Down choose another donor.</source>
        <translation>Intro dona; Arriba y Abajo eligen a otro donante.</translation>
    </message>
    <message>
        <source>Enter gives.</source>
        <translation>Intro dona.</translation>
    </message>
    <message>
        <source>No card on file matches “{query}”. Take the card the usual way.</source>
        <translation>Ninguna tarjeta guardada coincide con «{query}». Tome la tarjeta como siempre.</translation>
    </message>
    <message>
        <source>Give again on {card}</source>
        <translation>Donar de nuevo con {card}</translation>
    </message>
    <message>
        <source>Give again</source>
        <translation>Donar de nuevo</translation>
    </message>
    <message>
        <source>Find a donor with a card on file</source>
        <translation>Buscar un donante con tarjeta guardada</translation>
    </message>
    <message>
        <source>Give {amount} again on {card}</source>
        <translation>Donar {amount} de nuevo con {card}</translation>
    </message>
</context>
<context>
    <name>JobDetail</name>
    <message>
        <source>Technical detail for IT</source>
        <translation>Detalle técnico para informática</translation>
    </message>
    <message>
        <source>Retry now</source>
        <translation>Reintentar ahora</translation>
    </message>
    <message>
        <source>Retry all waiting</source>
        <translation>Reintentar todas las pendientes</translation>
    </message>
    <message>
        <source>Show receipt</source>
        <translation>Ver recibo</translation>
    </message>
    <message>
        <source>Corrected email</source>
        <translation>Correo corregido</translation>
    </message>
    <message>
        <source>Save email and resend</source>
        <translation>Guardar el correo y reenviar</translation>
    </message>
    <message>
        <source>Reason to discard (required)</source>
        <translation>Motivo para descartar (obligatorio)</translation>
    </message>
    <message>
        <source>Reason to discard</source>
        <translation>Motivo para descartar</translation>
    </message>
    <message>
        <source>Discard</source>
        <translation>Descartar</translation>
    </message>
    <message>
        <source>{n} jobs selected.</source>
        <translation>{n} tareas seleccionadas.</translation>
    </message>
    <message>
        <source>Select a job to see what happened.</source>
        <translation>Seleccione una tarea para ver qué pasó.</translation>
    </message>
    <message>
        <source>{job} for {donor}</source>
        <translation>{job} de {donor}</translation>
    </message>
    <message>
        <source>a donor</source>
        <translation>un donante</translation>
    </message>
    <message>
        <source>receipt {number}</source>
        <translation>recibo {number}</translation>
    </message>
    <message>
        <source>Gift of {amount} at {time}</source>
        <translation>Donativo de {amount} a las {time}</translation>
    </message>
    <message>
        <source>Tried once</source>
        <translation>Intentada una vez</translation>
    </message>
    <message>
        <source>Tried {n} times</source>
        <translation>Intentada {n} veces</translation>
    </message>
    <message>
        <source>next try at {time}</source>
        <translation>próximo intento a las {time}</translation>
    </message>
    <message>
        <source>discarded: {reason}</source>
        <translation>descartada: {reason}</translation>
    </message>
    <message>
        <source>job {id}</source>
        <translation>tarea {id}</translation>
    </message>
    <message>
        <source>donation {id}</source>
        <translation>donativo {id}</translation>
    </message>
    <message>
        <source>attempts {n}; delivery {delivery}</source>
        <translation>intentos {n}; entrega {delivery}</translation>
    </message>
    <message>
        <source>next attempt {time}</source>
        <translation>próximo intento {time}</translation>
    </message>
    <message>
        <source>result {ref}</source>
        <translation>resultado {ref}</translation>
    </message>
    <message>
        <source>the {job} for {donor}</source>
        <translation>{job} de {donor}</translation>
    </message>
    <message>
        <source>{n} jobs</source>
        <translation>{n} tareas</translation>
    </message>
    <message>
        <source>That didn&apos;t work: {error}</source>
        <translation>No funcionó: {error}</translation>
    </message>
    <message>
        <source>Trying {what} again…</source>
        <translation>Reintentando {what}…</translation>
    </message>
    <message>
        <source>Sent {what} back to the queue: it runs now.</source>
        <translation>Se devolvió {what} a la cola: se ejecuta ahora.</translation>
    </message>
    <message>
        <source>Enter the donor&apos;s email.</source>
        <translation>Escriba el correo del donante.</translation>
    </message>
    <message>
        <source>Resending the receipt to {email}…</source>
        <translation>Reenviando el recibo a {email}…</translation>
    </message>
    <message>
        <source>Saved {email}; the receipt is on its way again.</source>
        <translation>Se guardó {email}; el recibo va en camino otra vez.</translation>
    </message>
    <message>
        <source>Give a reason to discard: it is kept in the job&apos;s history.</source>
        <translation>Indique un motivo para descartar: se guarda en el historial de la tarea.</translation>
    </message>
    <message>
        <source>Discarding {what}…</source>
        <translation>Descartando {what}…</translation>
    </message>
    <message>
        <source>Discarded {what}.</source>
        <translation>Se descartó {what}.</translation>
    </message>
    <message>
        <source>Opening the receipt…</source>
        <translation>Abriendo el recibo…</translation>
    </message>
    <message>
        <source>Showing the receipt sent to {to}.</source>
        <translation>Se muestra el recibo enviado a {to}.</translation>
    </message>
    <message>
        <source>Couldn&apos;t show the receipt: {error}</source>
        <translation>No se pudo mostrar el recibo: {error}</translation>
    </message>
</context>
<context>
    <name>JobsModel</name>
    <message>
        <source>Donor</source>
        <translation>Donante</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Monto</translation>
    </message>
    <message>
        <source>Gift at</source>
        <translation>Donativo a las</translation>
    </message>
    <message>
        <source>Job</source>
        <translation>Tarea</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Tries</source>
        <translation>Intentos</translation>
    </message>
    <message>
        <source>Next try</source>
        <translation>Próximo intento</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problema</translation>
    </message>
    <message>
        <source>now</source>
        <translation>ahora</translation>
    </message>
    <message>
        <source>in {n} s</source>
        <translation>en {n} s</translation>
    </message>
    <message>
        <source>in {n} min</source>
        <translation>en {n} min</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sin nombre)</translation>
    </message>
</context>
<context>
    <name>JobsPanel</name>
    <message>
        <source>All jobs</source>
        <translation>Todas las tareas</translation>
    </message>
    <message>
        <source>No jobs yet — receipts and card saves appear here.</source>
        <translation>Aún no hay tareas — los recibos y las tarjetas guardadas aparecen aquí.</translation>
    </message>
    <message>
        <source>Not finished</source>
        <translation>Sin terminar</translation>
    </message>
    <message>
        <source>All jobs are done — nothing waiting</source>
        <translation>Todas las tareas están hechas — nada en espera</translation>
    </message>
    <message>
        <source>Needs attention</source>
        <translation>Necesitan atención</translation>
    </message>
    <message>
        <source>Nothing needs your attention.</source>
        <translation>Nada necesita su atención.</translation>
    </message>
    <message>
        <source>Retrying</source>
        <translation>Reintentando</translation>
    </message>
    <message>
        <source>Nothing is retrying.</source>
        <translation>Nada se está reintentando.</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En espera</translation>
    </message>
    <message>
        <source>Nothing is waiting to run.</source>
        <translation>Nada espera para ejecutarse.</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Hechas</translation>
    </message>
    <message>
        <source>No job has finished yet.</source>
        <translation>Ninguna tarea ha terminado todavía.</translation>
    </message>
    <message>
        <source>Discarded</source>
        <translation>Descartadas</translation>
    </message>
    <message>
        <source>No job was discarded.</source>
        <translation>No se descartó ninguna tarea.</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>Todos los tipos</translation>
    </message>
    <message>
        <source>Loading jobs…</source>
        <translation>Cargando tareas…</translation>
    </message>
    <message>
        <source>Jobs</source>
        <translation>Tareas</translation>
    </message>
    <message>
        <source>Show jobs</source>
        <translation>Mostrar tareas</translation>
    </message>
    <message>
        <source>Kind of job</source>
        <translation>Tipo de tarea</translation>
    </message>
    <message>
        <source>Search donor name or email</source>
        <translation>Buscar nombre o correo del donante</translation>
    </message>
    <message>
        <source>Search jobs</source>
        <translation>Buscar tareas</translation>
    </message>
    <message>
        <source>Couldn&apos;t read the job list: {error}</source>
        <translation>No se pudo leer la lista de tareas: {error}</translation>
    </message>
    <message>
        <source>the latest {n} finished listed; Export jobs… has them all</source>
        <translation>se muestran las {n} últimas terminadas; Exportar tareas… las tiene todas</translation>
    </message>
    <message>
        <source>Online since {time}</source>
        <translation>En línea desde las {time}</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>En línea</translation>
    </message>
    <message>
        <source>Offline since {time}</source>
        <translation>Sin conexión desde las {time}</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Sin conexión</translation>
    </message>
    <message>
        <source>oldest waiting {n} min</source>
        <translation>la más antigua espera {n} min</translation>
    </message>
    <message>
        <source>oldest waiting &lt;1 min</source>
        <translation>la más antigua espera &lt;1 min</translation>
    </message>
    <message>
        <source>No jobs yet — receipts and card saves appear here as gifts come in.</source>
        <translation>Aún no hay tareas — los recibos y las tarjetas guardadas aparecen aquí a medida que llegan los donativos.</translation>
    </message>
    <message>
        <source>No job matches this search.</source>
        <translation>Ninguna tarea coincide con esta búsqueda.</translation>
    </message>
</context>
<context>
    <name>LeadWindow</name>
    <message>
        <source>Lock  (Ctrl+Shift+L)</source>
        <translation>Bloquear  (Ctrl+Shift+L)</translation>
    </message>
    <message>
        <source>Event screen</source>
        <translation>Pantalla del evento</translation>
    </message>
    <message>
        <source>Lead desk screens</source>
        <translation>Pantallas del responsable</translation>
    </message>
    <message>
        <source>Tableside — lead desk — {event}</source>
        <translation>Tableside — mesa del responsable — {event}</translation>
    </message>
    <message>
        <source>Show on display {n}: {name} ({width}×{height})</source>
        <translation>Mostrar en la pantalla {n}: {name} ({width}×{height})</translation>
    </message>
    <message>
        <source>Name the latest gifts (ticker)</source>
        <translation>Nombrar los últimos donativos (cinta)</translation>
    </message>
    <message>
        <source>Close the event screen</source>
        <translation>Cerrar la pantalla del evento</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Tableside — {event} — {station}</source>
        <translation>Tableside — {event} — {station}</translation>
    </message>
    <message>
        <source>TRAINING MODE — practice only: no real card is charged, and receipts go to the outbox folder.</source>
        <translation>MODO PRÁCTICA — no se cobra ninguna tarjeta real; los recibos van a la carpeta de salida.</translation>
    </message>
    <message>
        <source>TRAINING MODE — practice only: no real card is charged, but receipts ARE emailed to donors.</source>
        <translation>MODO PRÁCTICA — no se cobra ninguna tarjeta real, pero los recibos SÍ se envían.</translation>
    </message>
    <message>
        <source>Lead desk (Ctrl+L)</source>
        <translation>Responsable (Ctrl+L)</translation>
    </message>
    <message>
        <source>Donation form</source>
        <translation>Formulario de donativo</translation>
    </message>
    <message>
        <source>Give again (F9)</source>
        <translation>Donar de nuevo (F9)</translation>
    </message>
    <message>
        <source>Check-in (F10)</source>
        <translation>Registro (F10)</translation>
    </message>
    <message>
        <source>Give again</source>
        <translation>Donar de nuevo</translation>
    </message>
    <message>
        <source>Check-in</source>
        <translation>Registro</translation>
    </message>
    <message>
        <source>Lead desk</source>
        <translation>Responsable</translation>
    </message>
    <message>
        <source>Charge {amount} on the reader</source>
        <translation>Cobrar {amount} en el lector</translation>
    </message>
    <message>
        <source>Charge on the reader</source>
        <translation>Cobrar en el lector</translation>
    </message>
    <message>
        <source>Charge {amount}</source>
        <translation>Cobrar {amount}</translation>
    </message>
    <message>
        <source>Charge</source>
        <translation>Cobrar</translation>
    </message>
    <message>
        <source>Record {amount} cash</source>
        <translation>Registrar {amount} en efectivo</translation>
    </message>
    <message>
        <source>Record cash</source>
        <translation>Registrar efectivo</translation>
    </message>
    <message>
        <source>Record {amount} check</source>
        <translation>Registrar cheque de {amount}</translation>
    </message>
    <message>
        <source>Record check</source>
        <translation>Registrar cheque</translation>
    </message>
    <message>
        <source>Waiting for the card — Esc cancels</source>
        <translation>Esperando la tarjeta — Esc cancela</translation>
    </message>
    <message>
        <source>Working…</source>
        <translation>Trabajando…</translation>
    </message>
    <message>
        <source>Enter the check number.</source>
        <translation>Escriba el número de cheque.</translation>
    </message>
    <message>
        <source>Charging</source>
        <translation>Cobrando</translation>
    </message>
    <message>
        <source>Recording</source>
        <translation>Registrando</translation>
    </message>
    <message>
        <source>The pay link goes by email: enter the donor&apos;s email.</source>
        <translation>El enlace de pago va por correo: escriba el correo del donante.</translation>
    </message>
    <message>
        <source>Taking the pledge</source>
        <translation>Registrando la promesa</translation>
    </message>
    <message>
        <source>{amount} (+ {fee} fee)</source>
        <translation>{amount} (+ {fee} de comisión)</translation>
    </message>
    <message>
        <source>Charging {card}</source>
        <translation>Cobrando a {card}</translation>
    </message>
    <message>
        <source>Retrying the same charge</source>
        <translation>Reintentando el mismo cobro</translation>
    </message>
    <message>
        <source>Ask for the card: the card on file was refused</source>
        <translation>Pida la tarjeta: la tarjeta guardada fue rechazada</translation>
    </message>
    <message>
        <source>Tableside hit a problem and did not finish this gift. Nothing you typed is lost except the card. Details are in {log}.</source>
        <translation>Tableside tuvo un problema y no terminó este donativo. No se pierde nada de lo que escribió, salvo la tarjeta. Los detalles están en {log}.</translation>
    </message>
    <message>
        <source>1 gift</source>
        <translation>1 donativo</translation>
    </message>
    <message>
        <source>{n} gifts</source>
        <translation>{n} donativos</translation>
    </message>
    <message>
        <source>Raised {raised} of {goal} · {gifts}</source>
        <translation>Recaudado {raised} de {goal} · {gifts}</translation>
    </message>
    <message>
        <source>Raised {raised} · {gifts}</source>
        <translation>Recaudado {raised} · {gifts}</translation>
    </message>
    <message>
        <source>● Online</source>
        <translation>● En línea</translation>
    </message>
    <message>
        <source>○ Offline — work is queued</source>
        <translation>○ Sin conexión — el trabajo queda en cola</translation>
    </message>
    <message>
        <source>1 job pending</source>
        <translation>1 tarea pendiente</translation>
    </message>
    <message>
        <source>{n} jobs pending</source>
        <translation>{n} tareas pendientes</translation>
    </message>
    <message>
        <source>All jobs done</source>
        <translation>Todas las tareas hechas</translation>
    </message>
    <message>
        <source>Close Tableside?</source>
        <translation>¿Cerrar Tableside?</translation>
    </message>
    <message>
        <source>{summary}

Nothing is lost. Close now?</source>
        <translation>{summary}

No se pierde nada. ¿Cerrar ahora?</translation>
    </message>
    <message>
        <source>A charge is in progress</source>
        <translation>Hay un cobro en curso</translation>
    </message>
    <message>
        <source>Wait for the result before closing Tableside.</source>
        <translation>Espere el resultado antes de cerrar Tableside.</translation>
    </message>
</context>
<context>
    <name>MoreOptions</name>
    <message>
        <source>No dedication</source>
        <translation>Sin dedicatoria</translation>
    </message>
    <message>
        <source>In honour of</source>
        <translation>En honor de</translation>
    </message>
    <message>
        <source>In memory of</source>
        <translation>En memoria de</translation>
    </message>
    <message>
        <source>the name, as it goes on the receipt</source>
        <translation>el nombre, tal como irá en el recibo</translation>
    </message>
    <message>
        <source>Dedication</source>
        <translation>Dedicatoria</translation>
    </message>
    <message>
        <source>Name of the person honoured or remembered</source>
        <translation>Nombre de la persona homenajeada o recordada</translation>
    </message>
    <message>
        <source>optional: we tell them of the gift, never the amount</source>
        <translation>opcional: le avisamos del donativo, nunca del monto</translation>
    </message>
    <message>
        <source>Tell by email</source>
        <translation>Avisar a</translation>
    </message>
    <message>
        <source>Anonymous: named on no list or screen</source>
        <translation>Anónimo: sin nombre en listas ni pantallas</translation>
    </message>
    <message>
        <source>The receipt still goes to the donor by name.</source>
        <translation>El recibo igual llega al donante con su nombre.</translation>
    </message>
    <message>
        <source>Item bought</source>
        <translation>Compró</translation>
    </message>
    <message>
        <source>Receipt in</source>
        <translation>Recibo en</translation>
    </message>
    <message>
        <source>Choose “in honour of” or “in memory of”.</source>
        <translation>Elija «en honor de» o «en memoria de».</translation>
    </message>
    <message>
        <source>More options</source>
        <translation>Más opciones</translation>
    </message>
    <message>
        <source>Nothing bought</source>
        <translation>Nada comprado</translation>
    </message>
    <message>
        <source>Goods or services</source>
        <translation>Bienes o servicios</translation>
    </message>
    <message>
        <source>{item} — worth {value}</source>
        <translation>{item} — valor {value}</translation>
    </message>
    <message>
        <source>The lead keeps the list of items and tickets in Settings.</source>
        <translation>El responsable mantiene la lista de artículos y entradas en Ajustes.</translation>
    </message>
    <message>
        <source>Anonymous</source>
        <translation>Anónimo</translation>
    </message>
    <message>
        <source>Receipt in {language}</source>
        <translation>Recibo en {language}</translation>
    </message>
</context>
<context>
    <name>PaddleRaiseScreen</name>
    <message>
        <source>Paddle</source>
        <translation>Paleta</translation>
    </message>
    <message>
        <source>Guest</source>
        <translation>Invitado</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Monto</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>What happens</source>
        <translation>Qué pasa</translation>
    </message>
    <message>
        <source>No paddle raise is open. Open one with its levels:</source>
        <translation>No hay una subasta de paletas abierta. Abra una con sus niveles:</translation>
    </message>
    <message>
        <source>Fund-a-need</source>
        <translation>Causa del momento</translation>
    </message>
    <message>
        <source>Raise title</source>
        <translation>Título de la subasta</translation>
    </message>
    <message>
        <source>Levels in dollars</source>
        <translation>Niveles en dólares</translation>
    </message>
    <message>
        <source>Open the raise</source>
        <translation>Abrir la subasta</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>Título</translation>
    </message>
    <message>
        <source>Levels ($, highest first)</source>
        <translation>Niveles ($, el más alto primero)</translation>
    </message>
    <message>
        <source>Paddle number, then Enter</source>
        <translation>Número de paleta y luego Intro</translation>
    </message>
    <message>
        <source>Paddle number</source>
        <translation>Número de paleta</translation>
    </message>
    <message>
        <source>Undo last (Ctrl+Z)</source>
        <translation>Deshacer la última (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Close the raise</source>
        <translation>Cerrar la subasta</translation>
    </message>
    <message>
        <source>Pledges in this raise</source>
        <translation>Promesas de esta subasta</translation>
    </message>
    <message>
        <source>1 pledge</source>
        <translation>1 promesa</translation>
    </message>
    <message>
        <source>{n} pledges</source>
        <translation>{n} promesas</translation>
    </message>
    <message>
        <source>{title}: {total} from {count} · {paid} paid</source>
        <translation>{title}: {total} de {count} · {paid} pagado</translation>
    </message>
    <message>
        <source>Level {amount}</source>
        <translation>Nivel {amount}</translation>
    </message>
    <message>
        <source>Couldn&apos;t read the raise ({error}).</source>
        <translation>No se pudo leer la subasta ({error}).</translation>
    </message>
    <message>
        <source>The raise is open: type a paddle number and Enter.</source>
        <translation>La subasta está abierta: escriba un número de paleta e Intro.</translation>
    </message>
    <message>
        <source>card on file: charging</source>
        <translation>tarjeta guardada: cobrando</translation>
    </message>
    <message>
        <source>no card: waits for checkout</source>
        <translation>sin tarjeta: espera al cierre</translation>
    </message>
    <message>
        <source>Paddle {paddle} · {amount} — {name} ({how})</source>
        <translation>Paleta {paddle} · {amount} — {name} ({how})</translation>
    </message>
    <message>
        <source>Nothing to undo.</source>
        <translation>Nada que deshacer.</translation>
    </message>
    <message>
        <source>Undone: paddle {paddle}.</source>
        <translation>Deshecha: paleta {paddle}.</translation>
    </message>
    <message>
        <source>“{title}” is closed; its pledges are still collected.</source>
        <translation>“{title}” está cerrada; sus promesas se siguen cobrando.</translation>
    </message>
    <message>
        <source>That didn&apos;t work ({error}).</source>
        <translation>No funcionó ({error}).</translation>
    </message>
</context>
<context>
    <name>PagedDonationsModel</name>
    <message>
        <source>Approved</source>
        <translation>Aprobado</translation>
    </message>
    <message>
        <source>Recorded</source>
        <translation>Registrado</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Rechazado</translation>
    </message>
    <message>
        <source>Not charged</source>
        <translation>No se cobró</translation>
    </message>
    <message>
        <source>Checking</source>
        <translation>Verificando</translation>
    </message>
    <message>
        <source>With the bank</source>
        <translation>Con el banco</translation>
    </message>
    <message>
        <source>Answer didn&apos;t match</source>
        <translation>La respuesta no coincidió</translation>
    </message>
    <message>
        <source>Charging</source>
        <translation>Cobrando</translation>
    </message>
    <message>
        <source>Refunded</source>
        <translation>Reembolsado</translation>
    </message>
    <message>
        <source>Refunding</source>
        <translation>Reembolsando</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>Anulado</translation>
    </message>
    <message>
        <source>Pledged</source>
        <translation>Prometido</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Hora</translation>
    </message>
    <message>
        <source>Donor</source>
        <translation>Donante</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Monto</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>Medio</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Tarjeta</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Cash</source>
        <translation>Efectivo</translation>
    </message>
    <message>
        <source>Check</source>
        <translation>Cheque</translation>
    </message>
    <message>
        <source>(anonymous)</source>
        <translation>(anónimo)</translation>
    </message>
</context>
<context>
    <name>PinGate</name>
    <message>
        <source>Lead desk</source>
        <translation>Mesa del responsable</translation>
    </message>
    <message>
        <source>4 to 8 digits</source>
        <translation>4 a 8 dígitos</translation>
    </message>
    <message>
        <source>Lead PIN</source>
        <translation>PIN de responsable</translation>
    </message>
    <message>
        <source>the same digits</source>
        <translation>los mismos dígitos</translation>
    </message>
    <message>
        <source>Type it again</source>
        <translation>Escríbalo otra vez</translation>
    </message>
    <message>
        <source>Type the PIN again</source>
        <translation>Escriba el PIN otra vez</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>Desbloquear</translation>
    </message>
    <message>
        <source>One moment…</source>
        <translation>Un momento…</translation>
    </message>
    <message>
        <source>Choose a lead PIN (4 to 8 digits). Volunteers shouldn&apos;t know it.</source>
        <translation>Elija un PIN de responsable (4 a 8 dígitos). Los voluntarios no deben conocerlo.</translation>
    </message>
    <message>
        <source>Set PIN and open</source>
        <translation>Fijar el PIN y abrir</translation>
    </message>
    <message>
        <source>Enter the lead PIN to see jobs, refunds, totals and export.</source>
        <translation>Escriba el PIN de responsable para ver tareas, reembolsos, totales y exportar.</translation>
    </message>
    <message>
        <source>Use 4 to 8 digits.</source>
        <translation>Use de 4 a 8 dígitos.</translation>
    </message>
    <message>
        <source>The two PINs don&apos;t match.</source>
        <translation>Los dos PIN no coinciden.</translation>
    </message>
    <message>
        <source>Too many wrong PINs. Try again in {n} s.</source>
        <translation>Demasiados PIN incorrectos. Inténtelo de nuevo en {n} s.</translation>
    </message>
    <message>
        <source>That PIN isn&apos;t right.</source>
        <translation>Ese PIN no es correcto.</translation>
    </message>
</context>
<context>
    <name>PledgesScreen</name>
    <message>
        <source>Paddle</source>
        <translation>Paleta</translation>
    </message>
    <message>
        <source>Donor</source>
        <translation>Donante</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Monto</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>What happens</source>
        <translation>Qué pasa</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>En espera</translation>
    </message>
    <message>
        <source>Charging</source>
        <translation>Cobrando</translation>
    </message>
    <message>
        <source>✓ Paid</source>
        <translation>✓ Pagada</translation>
    </message>
    <message>
        <source>▲ Needs attention</source>
        <translation>▲ Requiere atención</translation>
    </message>
    <message>
        <source>Link sent</source>
        <translation>Enlace enviado</translation>
    </message>
    <message>
        <source>Link expired</source>
        <translation>Enlace vencido</translation>
    </message>
    <message>
        <source>Undone</source>
        <translation>Anulada</translation>
    </message>
    <message>
        <source>Loading pledges…</source>
        <translation>Cargando promesas…</translation>
    </message>
    <message>
        <source>Pledges</source>
        <translation>Promesas</translation>
    </message>
    <message>
        <source>&amp;Send the pay link</source>
        <translation>&amp;Enviar el enlace de pago</translation>
    </message>
    <message>
        <source>Check &amp;links now</source>
        <translation>Revisar &amp;los enlaces ahora</translation>
    </message>
    <message>
        <source>C&amp;harge all open pledges</source>
        <translation>Co&amp;brar todas las promesas abiertas</translation>
    </message>
    <message>
        <source>&amp;Send the pay link again</source>
        <translation>R&amp;eenviar el enlace de pago</translation>
    </message>
    <message>
        <source>The end of the night: every waiting pledge is charged on its guest&apos;s card on file, or sent a pay link. Safe to press twice.</source>
        <translation>Al final de la noche: cada promesa en espera se cobra en la tarjeta guardada del invitado o recibe un enlace de pago. Se puede pulsar dos veces sin riesgo.</translation>
    </message>
    <message>
        <source>No pledges yet. Paddle raises and pay-link pledges appear here.</source>
        <translation>Aún no hay promesas. Aquí aparecen las de la subasta de paletas y las de enlace de pago.</translation>
    </message>
    <message>
        <source>{paid} of {total} paid ({cents} of {promised})</source>
        <translation>{paid} de {total} pagadas ({cents} de {promised})</translation>
    </message>
    <message>
        <source>{n} need attention</source>
        <translation>{n} requieren atención</translation>
    </message>
    <message>
        <source>1 needs attention</source>
        <translation>1 requiere atención</translation>
    </message>
    <message>
        <source>{n} charging</source>
        <translation>{n} cobrándose</translation>
    </message>
    <message>
        <source>1 charging</source>
        <translation>1 cobrándose</translation>
    </message>
    <message>
        <source>{n} links out</source>
        <translation>{n} enlaces enviados</translation>
    </message>
    <message>
        <source>1 link out</source>
        <translation>1 enlace enviado</translation>
    </message>
    <message>
        <source>{n} links expired</source>
        <translation>{n} enlaces vencidos</translation>
    </message>
    <message>
        <source>1 link expired</source>
        <translation>1 enlace vencido</translation>
    </message>
    <message>
        <source>{n} waiting</source>
        <translation>{n} en espera</translation>
    </message>
    <message>
        <source>1 waiting</source>
        <translation>1 en espera</translation>
    </message>
    <message>
        <source>Couldn&apos;t read the pledges ({error}).</source>
        <translation>No se pudieron leer las promesas ({error}).</translation>
    </message>
    <message>
        <source>Sending the pay link…</source>
        <translation>Enviando el enlace de pago…</translation>
    </message>
    <message>
        <source>The pay link is on its way.</source>
        <translation>El enlace de pago va en camino.</translation>
    </message>
    <message>
        <source>A pay link for this pledge is already on its way.</source>
        <translation>Ya va en camino un enlace de pago para esta promesa.</translation>
    </message>
    <message>
        <source>Starting the charges and pay links…</source>
        <translation>Iniciando los cobros y los enlaces de pago…</translation>
    </message>
    <message>
        <source>1 charging on a card on file</source>
        <translation>1 cobrándose en una tarjeta guardada</translation>
    </message>
    <message>
        <source>{n} charging on cards on file</source>
        <translation>{n} cobrándose en tarjetas guardadas</translation>
    </message>
    <message>
        <source>1 pay link going out</source>
        <translation>1 enlace de pago en camino</translation>
    </message>
    <message>
        <source>{n} pay links going out</source>
        <translation>{n} enlaces de pago en camino</translation>
    </message>
    <message>
        <source>1 needs the donor&apos;s email for a link</source>
        <translation>1 necesita el correo del donante para un enlace</translation>
    </message>
    <message>
        <source>{n} need the donor&apos;s email for a link</source>
        <translation>{n} necesitan el correo del donante para un enlace</translation>
    </message>
    <message>
        <source>Checking the pay links…</source>
        <translation>Revisando los enlaces de pago…</translation>
    </message>
    <message>
        <source>Pay links checked.</source>
        <translation>Enlaces de pago revisados.</translation>
    </message>
    <message>
        <source>That didn&apos;t work ({error}).</source>
        <translation>No funcionó ({error}).</translation>
    </message>
</context>
<context>
    <name>QueueHealth</name>
    <message>
        <source>1 job needs attention</source>
        <translation>1 tarea requiere atención</translation>
    </message>
    <message>
        <source>{n} jobs need attention</source>
        <translation>{n} tareas requieren atención</translation>
    </message>
    <message>
        <source>Needs you — {what}</source>
        <translation>Le necesita — {what}</translation>
    </message>
    <message>
        <source>1 job waits for the network</source>
        <translation>1 tarea espera la red</translation>
    </message>
    <message>
        <source>{n} jobs wait for the network</source>
        <translation>{n} tareas esperan la red</translation>
    </message>
    <message>
        <source>Offline — {what}</source>
        <translation>Sin conexión — {what}</translation>
    </message>
    <message>
        <source>1 job will be tried again</source>
        <translation>1 tarea se reintentará</translation>
    </message>
    <message>
        <source>{n} jobs will be tried again</source>
        <translation>{n} tareas se reintentarán</translation>
    </message>
    <message>
        <source>Retrying — {what}</source>
        <translation>Reintentando — {what}</translation>
    </message>
    <message>
        <source>1 job sending</source>
        <translation>1 tarea enviándose</translation>
    </message>
    <message>
        <source>{n} jobs sending</source>
        <translation>{n} tareas enviándose</translation>
    </message>
    <message>
        <source>All good — {what}</source>
        <translation>Todo bien — {what}</translation>
    </message>
    <message>
        <source>All good — nothing waiting</source>
        <translation>Todo bien — nada en espera</translation>
    </message>
</context>
<context>
    <name>ReceiptDialog</name>
    <message>
        <source>Receipt — {subject}</source>
        <translation>Recibo — {subject}</translation>
    </message>
    <message>
        <source>To</source>
        <translation>Para</translation>
    </message>
    <message>
        <source>Subject</source>
        <translation>Asunto</translation>
    </message>
    <message>
        <source>Sent</source>
        <translation>Enviado</translation>
    </message>
    <message>
        <source>Receipt text</source>
        <translation>Texto del recibo</translation>
    </message>
</context>
<context>
    <name>ResultPanel</name>
    <message>
        <source>Ready for the next donor</source>
        <translation>Listo para el siguiente donante</translation>
    </message>
    <message>
        <source>Charging</source>
        <translation>Cobrando</translation>
    </message>
    <message>
        <source>Tap, insert or swipe on the reader</source>
        <translation>Acerque, inserte o deslice en el lector</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Aprobado</translation>
    </message>
    <message>
        <source>Recorded</source>
        <translation>Registrado</translation>
    </message>
    <message>
        <source>Declined</source>
        <translation>Rechazado</translation>
    </message>
    <message>
        <source>Waiting for the processor</source>
        <translation>Esperando al procesador</translation>
    </message>
    <message>
        <source>Couldn&apos;t reach the processor</source>
        <translation>No se pudo contactar al procesador</translation>
    </message>
    <message>
        <source>Something went wrong</source>
        <translation>Algo salió mal</translation>
    </message>
    <message>
        <source>Pledge taken</source>
        <translation>Promesa registrada</translation>
    </message>
    <message>
        <source>Card</source>
        <translation>Tarjeta</translation>
    </message>
    <message>
        <source>Tap an approving card</source>
        <translation>Acercar una tarjeta que se aprueba</translation>
    </message>
    <message>
        <source>Tap a declining card</source>
        <translation>Acercar una tarjeta que se rechaza</translation>
    </message>
    <message>
        <source>Pull the card out too soon</source>
        <translation>Retirar la tarjeta antes de tiempo</translation>
    </message>
    <message>
        <source>Donor never taps</source>
        <translation>El donante nunca acerca la tarjeta</translation>
    </message>
    <message>
        <source>tap</source>
        <translation>sin contacto</translation>
    </message>
    <message>
        <source>chip</source>
        <translation>chip</translation>
    </message>
    <message>
        <source>swipe</source>
        <translation>banda</translation>
    </message>
    <message>
        <source>Training: play the donor</source>
        <translation>Práctica: haga de donante</translation>
    </message>
    <message>
        <source>&amp;Retry (same charge)</source>
        <translation>&amp;Reintentar (mismo cobro)</translation>
    </message>
    <message>
        <source>&amp;Next donor  (Ctrl+N)</source>
        <translation>&amp;Siguiente donante  (Ctrl+N)</translation>
    </message>
    <message>
        <source>Pay later by email link  (Alt+P)</source>
        <translation>Pagar después por enlace  (Alt+P)</translation>
    </message>
    <message>
        <source>Take this gift as a pledge: the donor gets a link by email and pays on the processor&apos;s page.</source>
        <translation>Registrar este donativo como promesa: el donante recibe un enlace por correo y paga en la página del procesador.</translation>
    </message>
    <message>
        <source>Pick an amount (F1–F4) or type one, then press Enter.</source>
        <translation>Elija un monto (F1–F4) o escriba uno, y pulse Intro.</translation>
    </message>
    <message>
        <source>Keep the card handy.</source>
        <translation>Tenga la tarjeta a mano.</translation>
    </message>
    <message>
        <source>the reader</source>
        <translation>el lector</translation>
    </message>
    <message>
        <source>Waiting for the card on {reader}. Esc cancels.</source>
        <translation>Esperando la tarjeta en {reader}. Esc cancela.</translation>
    </message>
    <message>
        <source>Tap, insert or swipe on the reader — {amount}</source>
        <translation>Acerque, inserte o deslice en el lector — {amount}</translation>
    </message>
    <message>
        <source>Cancelling on the reader…</source>
        <translation>Cancelando en el lector…</translation>
    </message>
    <message>
        <source>Reference {ref}</source>
        <translation>Referencia {ref}</translation>
    </message>
    <message>
        <source>Waiting for the bank</source>
        <translation>Esperando al banco</translation>
    </message>
    <message>
        <source>Not approved — tell the lead</source>
        <translation>No aprobado — avise al responsable</translation>
    </message>
    <message>
        <source>Check the Wi-Fi, then press Retry: it repeats this same charge.</source>
        <translation>Revise el Wi-Fi y pulse Reintentar: repite este mismo cobro.</translation>
    </message>
    <message>
        <source>Not charged</source>
        <translation>No se cobró</translation>
    </message>
    <message>
        <source>A link to pay goes to {email}; the donor pays on the processor&apos;s page. Nothing was charged here. The lead follows it under Pledges.</source>
        <translation>Un enlace de pago va a {email}; el donante paga en la página del procesador. Aquí no se cobró nada. El responsable lo sigue en Promesas.</translation>
    </message>
</context>
<context>
    <name>Screens</name>
    <message>
        <source>Event desk</source>
        <translation>Mesa del evento</translation>
    </message>
    <message>
        <source>Pending jobs</source>
        <translation>Tareas pendientes</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>Ajustes</translation>
    </message>
    <message>
        <source>Every table</source>
        <translation>Todas las mesas</translation>
    </message>
    <message>
        <source>Pledges</source>
        <translation>Promesas</translation>
    </message>
    <message>
        <source>Paddle raise</source>
        <translation>Subasta de paletas</translation>
    </message>
</context>
<context>
    <name>SettingsTab</name>
    <message>
        <source>Event</source>
        <translation>Evento</translation>
    </message>
    <message>
        <source>Goal in dollars</source>
        <translation>Meta en dólares</translation>
    </message>
    <message>
        <source>Event name</source>
        <translation>Nombre del evento</translation>
    </message>
    <message>
        <source>This station</source>
        <translation>Esta estación</translation>
    </message>
    <message>
        <source>Save event settings</source>
        <translation>Guardar los datos del evento</translation>
    </message>
    <message>
        <source>Goal</source>
        <translation>Meta</translation>
    </message>
    <message>
        <source>Cards</source>
        <translation>Tarjetas</translation>
    </message>
    <message>
        <source>Tick &apos;save this card&apos; on the form by default</source>
        <translation>Marcar &apos;guardar la tarjeta&apos; en el formulario por defecto</translation>
    </message>
    <message>
        <source>Volunteers may type a card number on this laptop (a fallback for when the reader can&apos;t be used)</source>
        <translation>Los voluntarios pueden teclear un número de tarjeta en esta computadora (por si no se puede usar el lector)</translation>
    </message>
    <message>
        <source>Secrets (kept in the OS keyring, never in a file)</source>
        <translation>Secretos (en el llavero del sistema, nunca en un archivo)</translation>
    </message>
    <message>
        <source>leave empty to keep the stored one</source>
        <translation>déjelo vacío para conservar el guardado</translation>
    </message>
    <message>
        <source>Store in the keyring</source>
        <translation>Guardar en el llavero</translation>
    </message>
    <message>
        <source>This station needs no secrets for its processor and receipts.</source>
        <translation>Esta estación no necesita secretos para su procesador ni sus recibos.</translation>
    </message>
    <message>
        <source>Items and tickets a gift may buy</source>
        <translation>Artículos y entradas que un donativo puede comprar</translation>
    </message>
    <message>
        <source>The volunteer picks one per gift (or none). Its fair market value goes on that gift&apos;s receipt, which says how much is deductible; a gift with nothing picked has no goods.</source>
        <translation>El voluntario elige uno por donativo (o ninguno). Su valor justo de mercado va en el recibo de ese donativo, que indica cuánto es deducible; un donativo sin nada elegido no tiene bienes.</translation>
    </message>
    <message>
        <source>Item or ticket</source>
        <translation>Artículo o entrada</translation>
    </message>
    <message>
        <source>Fair market value ($)</source>
        <translation>Valor justo de mercado ($)</translation>
    </message>
    <message>
        <source>Add an item</source>
        <translation>Añadir un artículo</translation>
    </message>
    <message>
        <source>Save the list</source>
        <translation>Guardar la lista</translation>
    </message>
    <message>
        <source>Item {n}: write the value in dollars, e.g. 40 or 12.50.</source>
        <translation>Artículo {n}: escriba el valor en dólares, p. ej. 40 o 12.50.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Guardando…</translation>
    </message>
    <message>
        <source>Saved. Volunteers can pick these now.</source>
        <translation>Guardado. Los voluntarios ya pueden elegirlos.</translation>
    </message>
    <message>
        <source>Saved. There is nothing to pick: no gift has goods.</source>
        <translation>Guardado. No hay nada que elegir: ningún donativo tiene bienes.</translation>
    </message>
    <message>
        <source>Saved. Totals and new gifts use it now.</source>
        <translation>Guardado. Los totales y los nuevos donativos ya lo usan.</translation>
    </message>
    <message>
        <source>Saved. Volunteers can now type a card number or use the reader.</source>
        <translation>Guardado. Los voluntarios ya pueden teclear un número de tarjeta o usar el lector.</translation>
    </message>
    <message>
        <source>Saved. Cards are taken on the reader only.</source>
        <translation>Guardado. Las tarjetas se toman solo en el lector.</translation>
    </message>
    <message>
        <source>Saved. The &apos;save this card&apos; box starts ticked; donors may untick it.</source>
        <translation>Guardado. La casilla &apos;guardar la tarjeta&apos; empieza marcada; el donante puede desmarcarla.</translation>
    </message>
    <message>
        <source>Saved. The form&apos;s &apos;save this card&apos; box starts unticked.</source>
        <translation>Guardado. La casilla &apos;guardar la tarjeta&apos; del formulario empieza sin marcar.</translation>
    </message>
    <message>
        <source>Not saved: {error}</source>
        <translation>No se guardó: {error}</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>Quitar</translation>
    </message>
    <message>
        <source>Type a new value first; empty fields keep what&apos;s stored.</source>
        <translation>Escriba primero un valor nuevo; los campos vacíos conservan lo guardado.</translation>
    </message>
    <message>
        <source>Storing…</source>
        <translation>Guardando…</translation>
    </message>
    <message>
        <source>Not stored: {error}</source>
        <translation>No se guardó: {error}</translation>
    </message>
</context>
<context>
    <name>TablesScreen</name>
    <message>
        <source>Table</source>
        <translation>Mesa</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Qué</translation>
    </message>
    <message>
        <source>Donor</source>
        <translation>Donante</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Monto</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problema</translation>
    </message>
    <message>
        <source>Since</source>
        <translation>Desde</translation>
    </message>
    <message>
        <source>Every table: loading…</source>
        <translation>Todas las mesas: cargando…</translation>
    </message>
    <message>
        <source>Needs attention at every table</source>
        <translation>Requiere atención en todas las mesas</translation>
    </message>
    <message>
        <source>Corrected email</source>
        <translation>Correo corregido</translation>
    </message>
    <message>
        <source>Save email and resend</source>
        <translation>Guardar el correo y reenviar</translation>
    </message>
    <message>
        <source>No central store is set for this station.</source>
        <translation>Esta estación no tiene un almacén central configurado.</translation>
    </message>
    <message>
        <source>This station&apos;s login reads the event&apos;s totals only. To see and fix what needs attention at every table here, IT adds this desk as a lead: pos-app central add-station NAME --lead, then pos-app configure.</source>
        <translation>El acceso de esta estación solo lee los totales del evento. Para ver y corregir aquí lo que requiere atención en todas las mesas, TI agrega este puesto como responsable: pos-app central add-station NOMBRE --lead, y luego pos-app configure.</translation>
    </message>
    <message>
        <source>1 job needs attention</source>
        <translation>1 tarea requiere atención</translation>
    </message>
    <message>
        <source>{n} jobs need attention</source>
        <translation>{n} tareas requieren atención</translation>
    </message>
    <message>
        <source>at 1 table</source>
        <translation>en 1 mesa</translation>
    </message>
    <message>
        <source>at {n} tables</source>
        <translation>en {n} mesas</translation>
    </message>
    <message>
        <source>{jobs} {where} — live, {time}</source>
        <translation>{jobs} {where} — en vivo, {time}</translation>
    </message>
    <message>
        <source>Nothing needs attention at any table — live, {time}</source>
        <translation>Nada requiere atención en ninguna mesa — en vivo, {time}</translation>
    </message>
    <message>
        <source>Every table: {problem} This table&apos;s own jobs are on Pending jobs.</source>
        <translation>Todas las mesas: {problem} Las tareas de esta mesa están en Tareas pendientes.</translation>
    </message>
    <message>
        <source>Every table: could not read ({error}).</source>
        <translation>Todas las mesas: no se pudo leer ({error}).</translation>
    </message>
    <message>
        <source>Email fix sent {time}, waiting for {table}. {problem}</source>
        <translation>Corrección de correo enviada a las {time}, esperando a {table}. {problem}</translation>
    </message>
    <message>
        <source>Anonymous</source>
        <translation>Anónimo</translation>
    </message>
    <message>
        <source>{table}: {problem}</source>
        <translation>{table}: {problem}</translation>
    </message>
    <message>
        <source>Type the right address below: the receipt goes again.</source>
        <translation>Escriba abajo la dirección correcta: el recibo se envía de nuevo.</translation>
    </message>
    <message>
        <source>Fix this at {table} (its Pending jobs tab).</source>
        <translation>Corríjalo en {table} (su pestaña Tareas pendientes).</translation>
    </message>
    <message>
        <source>Enter the donor&apos;s email.</source>
        <translation>Escriba el correo del donante.</translation>
    </message>
    <message>
        <source>Saving {email}…</source>
        <translation>Guardando {email}…</translation>
    </message>
    <message>
        <source>Saved {email}; the receipt is on its way again.</source>
        <translation>Se guardó {email}; el recibo va en camino otra vez.</translation>
    </message>
    <message>
        <source>Sent to {table}: it saves {email} and sends the receipt again when it next shares (within a minute).</source>
        <translation>Enviado a {table}: guarda {email} y vuelve a enviar el recibo la próxima vez que comparta (en menos de un minuto).</translation>
    </message>
    <message>
        <source>Could not save the email ({error}).</source>
        <translation>No se pudo guardar el correo ({error}).</translation>
    </message>
</context>
<context>
    <name>Thermometer</name>
    <message>
        <source>Progress to the goal</source>
        <translation>Avance hacia la meta</translation>
    </message>
    <message>
        <source>No goal set</source>
        <translation>Sin meta</translation>
    </message>
    <message>
        <source>{percent}% of {goal}</source>
        <translation>{percent}% de {goal}</translation>
    </message>
</context>
<context>
    <name>core</name>
    <message>
        <source>Training (simulator)</source>
        <translation>Práctica (simulador)</translation>
    </message>
    <message>
        <source>Training reader</source>
        <translation>Lector de práctica</translation>
    </message>
    <message>
        <source>Ask for another card.</source>
        <translation>Pida otra tarjeta.</translation>
    </message>
    <message>
        <source>Check the number, or check them in first.</source>
        <translation>Revise el número o regístrelo primero.</translation>
    </message>
    <message>
        <source>Enter the name the gift is dedicated to.</source>
        <translation>Escriba el nombre de la persona a quien se dedica el donativo.</translation>
    </message>
    <message>
        <source>Say whom the gift honours before adding an email.</source>
        <translation>Indique a quién se dedica el donativo antes de añadir un correo.</translation>
    </message>
    <message>
        <source>Choose “in honour of” or “in memory of”.</source>
        <translation>Elija «en honor de» o «en memoria de».</translation>
    </message>
    <message>
        <source>Cancelled on the reader.</source>
        <translation>Cancelado en el lector.</translation>
    </message>
    <message>
        <source>Check it or swipe again.</source>
        <translation>Revíselo o deslice de nuevo.</translation>
    </message>
    <message>
        <source>Check the amount, or ask the event lead.</source>
        <translation>Revise el monto o consulte al responsable del evento.</translation>
    </message>
    <message>
        <source>Check the email address.</source>
        <translation>Revise la dirección de correo.</translation>
    </message>
    <message>
        <source>Check the expiry year.</source>
        <translation>Revise el año de vencimiento.</translation>
    </message>
    <message>
        <source>Check the number and try again, or ask for another card.</source>
        <translation>Revise el número e inténtelo de nuevo, o pida otra tarjeta.</translation>
    </message>
    <message>
        <source>Check the postal code.</source>
        <translation>Revise el código postal.</translation>
    </message>
    <message>
        <source>Check the security code and try again, or ask for another card.</source>
        <translation>Revise el código de seguridad e inténtelo de nuevo, o pida otra tarjeta.</translation>
    </message>
    <message>
        <source>Clear it and type it again.</source>
        <translation>Bórrelo y escríbalo de nuevo.</translation>
    </message>
    <message>
        <source>Clear it and type the email.</source>
        <translation>Bórrelo y escriba el correo.</translation>
    </message>
    <message>
        <source>Clear it and type the name.</source>
        <translation>Bórrelo y escriba el nombre.</translation>
    </message>
    <message>
        <source>Couldn&apos;t reach the processor.</source>
        <translation>No se pudo contactar al procesador.</translation>
    </message>
    <message>
        <source>Don&apos;t charge again: Tableside will check it and update this gift.</source>
        <translation>No cobre de nuevo: Tableside lo verificará y actualizará este donativo.</translation>
    </message>
    <message>
        <source>Don&apos;t charge again: Tableside will check it as soon as the processor is reachable.</source>
        <translation>No cobre de nuevo: Tableside lo verificará en cuanto pueda contactar al procesador.</translation>
    </message>
    <message>
        <source>Don&apos;t charge this card again; the event lead will check this payment with the processor.</source>
        <translation>No cobre esta tarjeta de nuevo; el responsable del evento verificará este pago con el procesador.</translation>
    </message>
    <message>
        <source>Enter an amount.</source>
        <translation>Escriba un monto.</translation>
    </message>
    <message>
        <source>Enter the amount as a number, like 50 or 50.00.</source>
        <translation>Escriba el monto como número, p. ej. 50 o 50.00.</translation>
    </message>
    <message>
        <source>Enter the card number.</source>
        <translation>Escriba el número de tarjeta.</translation>
    </message>
    <message>
        <source>Enter the expiry as MM/YY.</source>
        <translation>Escriba el vencimiento como MM/AA.</translation>
    </message>
    <message>
        <source>Insufficient funds.</source>
        <translation>Fondos insuficientes.</translation>
    </message>
    <message>
        <source>It has characters Tableside can&apos;t keep.</source>
        <translation>Tiene caracteres que Tableside no puede guardar.</translation>
    </message>
    <message>
        <source>No answer from the processor, so this charge is not confirmed yet.</source>
        <translation>El procesador no respondió, así que este cobro aún no está confirmado.</translation>
    </message>
    <message>
        <source>Nothing was charged.</source>
        <translation>No se cobró nada.</translation>
    </message>
    <message>
        <source>Press Enter to send the amount to the reader again.</source>
        <translation>Pulse Intro para enviar el monto al lector otra vez.</translation>
    </message>
    <message>
        <source>Tableside stopped before the reader was asked for the card.</source>
        <translation>Tableside se detuvo antes de pedir la tarjeta al lector.</translation>
    </message>
    <message>
        <source>Take the card again with the donor present.</source>
        <translation>Tome la tarjeta otra vez con el donante presente.</translation>
    </message>
    <message>
        <source>That card number isn&apos;t valid.</source>
        <translation>Ese número de tarjeta no es válido.</translation>
    </message>
    <message>
        <source>That email address doesn&apos;t look right (like name@example.org).</source>
        <translation>Esa dirección de correo no parece correcta (como nombre@ejemplo.org).</translation>
    </message>
    <message>
        <source>That looks like card data, not a name.</source>
        <translation>Eso parece un dato de tarjeta, no un nombre.</translation>
    </message>
    <message>
        <source>That looks like card data, not an email address.</source>
        <translation>Eso parece un dato de tarjeta, no una dirección de correo.</translation>
    </message>
    <message>
        <source>The amount must be a whole number of cents.</source>
        <translation>El monto debe ser un número entero de centavos.</translation>
    </message>
    <message>
        <source>The amount must be more than $0.00.</source>
        <translation>El monto debe ser mayor que $0.00.</translation>
    </message>
    <message>
        <source>The bank had a processing error.</source>
        <translation>El banco tuvo un error de procesamiento.</translation>
    </message>
    <message>
        <source>The bank wants the donor to confirm this payment.</source>
        <translation>El banco quiere que el donante confirme este pago.</translation>
    </message>
    <message>
        <source>The card has expired.</source>
        <translation>La tarjeta está vencida.</translation>
    </message>
    <message>
        <source>The card has reached its limit.</source>
        <translation>La tarjeta llegó a su límite.</translation>
    </message>
    <message>
        <source>The card number is incorrect.</source>
        <translation>El número de tarjeta es incorrecto.</translation>
    </message>
    <message>
        <source>The card was declined.</source>
        <translation>La tarjeta fue rechazada.</translation>
    </message>
    <message>
        <source>The email address has characters that can&apos;t be sent.</source>
        <translation>La dirección de correo tiene caracteres que no se pueden enviar.</translation>
    </message>
    <message>
        <source>The laptop&apos;s disk is full: free space, nothing was charged.</source>
        <translation>El disco de la computadora está lleno: libere espacio; no se cobró nada.</translation>
    </message>
    <message>
        <source>The laptop&apos;s disk is full: free space, then record this gift again.</source>
        <translation>El disco de la computadora está lleno: libere espacio y registre este donativo otra vez.</translation>
    </message>
    <message>
        <source>The month must be 01 to 12.</source>
        <translation>El mes debe ser de 01 a 12.</translation>
    </message>
    <message>
        <source>The name has characters Tableside can&apos;t keep.</source>
        <translation>El nombre tiene caracteres que Tableside no puede guardar.</translation>
    </message>
    <message>
        <source>The name is too long.</source>
        <translation>El nombre es demasiado largo.</translation>
    </message>
    <message>
        <source>The part after the @ doesn&apos;t look right.</source>
        <translation>La parte después de la @ no parece correcta.</translation>
    </message>
    <message>
        <source>The reader is busy with another payment.</source>
        <translation>El lector está ocupado con otro pago.</translation>
    </message>
    <message>
        <source>The reader is off or asleep: press its power button and wait for its home screen, then try again.</source>
        <translation>El lector está apagado o en reposo: pulse su botón de encendido, espere su pantalla de inicio e inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>The reader timed out waiting for a card.</source>
        <translation>El lector dejó de esperar la tarjeta.</translation>
    </message>
    <message>
        <source>The security code is incorrect.</source>
        <translation>El código de seguridad es incorrecto.</translation>
    </message>
    <message>
        <source>This card has expired.</source>
        <translation>Esta tarjeta está vencida.</translation>
    </message>
    <message>
        <source>This card type isn&apos;t accepted.</source>
        <translation>No se acepta este tipo de tarjeta.</translation>
    </message>
    <message>
        <source>This charge is not confirmed yet.</source>
        <translation>Este cobro aún no está confirmado.</translation>
    </message>
    <message>
        <source>Try again, or ask for another card.</source>
        <translation>Inténtelo de nuevo, o pida otra tarjeta.</translation>
    </message>
    <message>
        <source>Type it again.</source>
        <translation>Escríbalo de nuevo.</translation>
    </message>
    <message>
        <source>Wait for it to finish (or cancel it on the other station), then try again.</source>
        <translation>Espere a que termine (o cancélelo en la otra estación) e inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>Waiting for the bank to confirm.</source>
        <translation>Esperando la confirmación del banco.</translation>
    </message>
    <message>
        <source>The card was not kept.</source>
        <translation>La tarjeta no se guardó.</translation>
    </message>
    <message>
        <source>Try again.</source>
        <translation>Inténtelo de nuevo.</translation>
    </message>
    <message>
        <source>Waiting for the card on the reader.</source>
        <translation>Esperando la tarjeta en el lector.</translation>
    </message>
    <message>
        <source>This station has no card reader.</source>
        <translation>Esta estación no tiene lector de tarjetas.</translation>
    </message>
    <message>
        <source>Tableside stopped before the reader asked for the card.</source>
        <translation>Tableside se detuvo antes de que el lector pidiera la tarjeta.</translation>
    </message>
    <message>
        <source>This card can&apos;t be kept on file (a phone wallet can&apos;t be).</source>
        <translation>Esta tarjeta no se puede guardar (una billetera del teléfono no se puede guardar).</translation>
    </message>
    <message>
        <source>The reader&apos;s answer was for another guest.</source>
        <translation>La respuesta del lector era para otro invitado.</translation>
    </message>
    <message>
        <source>The reader is waiting for another guest&apos;s card; finish or cancel that first.</source>
        <translation>El lector está esperando la tarjeta de otro invitado; termine o cancele eso primero.</translation>
    </message>
    <message>
        <source>The reader stopped before the card was read.</source>
        <translation>El lector se detuvo antes de leer la tarjeta.</translation>
    </message>
    <message>
        <source>Enter the guest&apos;s name and email as text.</source>
        <translation>Escriba el nombre y el correo del invitado como texto.</translation>
    </message>
    <message>
        <source>Enter the guest&apos;s name.</source>
        <translation>Escriba el nombre del invitado.</translation>
    </message>
    <message>
        <source>Type a paddle number (digits only, like 112).</source>
        <translation>Escriba un número de paleta (solo dígitos, como 112).</translation>
    </message>
    <message>
        <source>Couldn&apos;t find a free paddle number; type one.</source>
        <translation>No se encontró un número de paleta libre; escriba uno.</translation>
    </message>
    <message>
        <source>This station&apos;s processor can&apos;t keep a card on file.</source>
        <translation>El procesador de esta estación no puede guardar tarjetas.</translation>
    </message>
    <message>
        <source>This guest&apos;s card is still being saved; wait a moment.</source>
        <translation>La tarjeta de este invitado todavía se está guardando; espere un momento.</translation>
    </message>
    <message>
        <source>This guest&apos;s card is being saved right now; wait a moment.</source>
        <translation>La tarjeta de este invitado se está guardando en este momento; espere un momento.</translation>
    </message>
    <message>
        <source>Couldn&apos;t reach the processor, so the card was not kept.</source>
        <translation>No se pudo contactar al procesador, así que la tarjeta no se guardó.</translation>
    </message>
    <message>
        <source>Not confirmed yet: Tableside keeps checking with the processor.</source>
        <translation>Aún sin confirmar: Tableside sigue consultando con el procesador.</translation>
    </message>
    <message>
        <source>The guest can go in; the card shows as on file once confirmed.</source>
        <translation>El invitado puede pasar; la tarjeta aparecerá como guardada en cuanto se confirme.</translation>
    </message>
    <message>
        <source>The card&apos;s bank wants the guest to confirm it, which can&apos;t be done at the table.</source>
        <translation>El banco de la tarjeta quiere que el invitado la confirme, y eso no se puede hacer en la mesa.</translation>
    </message>
    <message>
        <source>Tableside stopped before the card reached the processor.</source>
        <translation>Tableside se detuvo antes de que la tarjeta llegara al procesador.</translation>
    </message>
    <message>
        <source>Receipts are written in English (en) or Spanish (es).</source>
        <translation>Los recibos se escriben en inglés (en) o en español (es).</translation>
    </message>
    <message>
        <source>You can take the next donor: this gift finishes by itself, and the lead sees it.</source>
        <translation>Puede atender al siguiente donante: este donativo se completa solo y el responsable lo ve.</translation>
    </message>
    <message>
        <source>Paddle {paddle} is taken ({name}).</source>
        <translation>La paleta {paddle} ya está asignada ({name}).</translation>
    </message>
    <message>
        <source>Paddle {paddle} is taken.</source>
        <translation>La paleta {paddle} ya está asignada.</translation>
    </message>
    <message>
        <source>{name} is already checked in with paddle {paddle}.</source>
        <translation>{name} ya está registrado/a con la paleta {paddle}.</translation>
    </message>
    <message>
        <source>Saved with the {processor} processor.</source>
        <translation>Guardada con el procesador {processor}.</translation>
    </message>
    <message>
        <source>No guest has paddle {paddle}.</source>
        <translation>Ningún invitado tiene la paleta {paddle}.</translation>
    </message>
    <message>
        <source>Ask paddle {paddle} for another card: {reason}</source>
        <translation>Pida otra tarjeta a la paleta {paddle}: {reason}</translation>
    </message>
    <message>
        <source>“{title}” is closed.</source>
        <translation>“{title}” está cerrada.</translation>
    </message>
</context>
</TS>
